package com.realtimevoice.result.account;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.result.ResultServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/auth/wechat/login {"code"}}: a mini-program's {@code wx.login()} code in, the product's own
 * short-lived token out (subject: the internal user id mapped from the openid). Clients reach it through any ingest node.
 */
@RestController
class WeChatLoginController {

    record LoginRequest(String code) {}

    private final WeChatClient wechat;
    private final WeChatAccounts accounts;
    private final TokenService tokens;
    private final ResultServiceProperties.WeChat settings;
    private final MeterRegistry meters;

    WeChatLoginController(
            WeChatClient wechat,
            WeChatAccounts accounts,
            TokenService tokens,
            ResultServiceProperties properties,
            MeterRegistry meters) {
        this.wechat = wechat;
        this.accounts = accounts;
        this.tokens = tokens;
        this.settings = properties.wechat();
        this.meters = meters;
    }

    @PostMapping("/api/auth/wechat/login")
    ResponseEntity<Map<String, Object>> login(@RequestBody(required = false) LoginRequest request) {
        if (request == null || request.code() == null || !request.code().matches("[A-Za-z0-9_-]{1,128}")) {
            return error(
                    HttpStatus.BAD_REQUEST,
                    "BAD_REQUEST",
                    "body must be {\"code\":\"...\"} with the code from wx.login()");
        }
        try {
            String userId = accounts.userIdFor(wechat.code2Session(request.code()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token", tokens.issue(userId, settings.tokenTtl()));
            body.put("userId", userId);
            body.put("expiresIn", settings.tokenTtl().toSeconds());
            meters.counter("result.wechat.logins", "result", "ok").increment();
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
        } catch (WeChatLoginException e) {
            meters.counter("result.wechat.logins", "result", e.code).increment();
            return error(e.status, e.code, e.getMessage());
        }
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("code", code);
        body.put("message", message);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }
}
