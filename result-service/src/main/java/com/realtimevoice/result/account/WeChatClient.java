package com.realtimevoice.result.account;

import com.realtimevoice.result.ResultServiceProperties;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat's code2Session: exchanges the code from {@code wx.login()} for the user's openid. The request carries the
 * app secret, so it is never logged; the answer's session_key is read by nobody and kept nowhere.
 */
@Component
class WeChatClient {

    /** What WeChat says about a login: its openid (and unionid where the app is bound to an open platform account). */
    record WeChatIdentity(String openid, String unionid) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ResultServiceProperties.WeChat settings;
    private final HttpClient http;

    WeChatClient(ResultServiceProperties properties) {
        this.settings = properties.wechat();
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    WeChatIdentity code2Session(String code) throws WeChatLoginException {
        if (!settings.configured()) {
            throw new WeChatLoginException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "WECHAT_NOT_CONFIGURED",
                    "WeChat login is not configured on this server (WECHAT_APP_ID, WECHAT_APP_SECRET)");
        }
        URI uri = URI.create(settings.apiBaseUrl().toString().replaceAll("/+$", "") + "/sns/jscode2session"
                + "?appid=" + enc(settings.appId()) + "&secret=" + enc(settings.appSecret()) + "&js_code=" + enc(code)
                + "&grant_type=authorization_code");
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(settings.timeout())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw unavailable("WeChat did not answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
        if (response.statusCode() != 200) {
            throw unavailable("WeChat answered HTTP " + response.statusCode());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body()); // WeChat often labels its JSON text/plain
        } catch (JacksonException e) {
            throw unavailable("WeChat answered something that is not JSON");
        }
        int errcode = body.path("errcode").asInt(0);
        if (errcode != 0) {
            throw mapError(errcode, body.path("errmsg").asString(""));
        }
        String openid = body.path("openid").asString(null);
        if (openid == null || openid.isBlank()) {
            throw unavailable("WeChat's answer has no openid");
        }
        String unionid = body.path("unionid").asString(null);
        return new WeChatIdentity(openid, unionid == null || unionid.isBlank() ? null : unionid);
    }

    /** WeChat's documented code2Session errors, as codes a mini-program can act on. */
    static WeChatLoginException mapError(int errcode, String errmsg) {
        String detail = " (WeChat errcode " + errcode + ": " + errmsg + ")";
        return switch (errcode) {
            case 40029 ->
                new WeChatLoginException(
                        HttpStatus.BAD_REQUEST,
                        "WECHAT_CODE_INVALID",
                        "the login code is invalid: call wx.login() again" + detail);
            case 40163 ->
                new WeChatLoginException(
                        HttpStatus.BAD_REQUEST,
                        "WECHAT_CODE_INVALID",
                        "the login code was already used: call wx.login() again" + detail);
            case 45011 ->
                new WeChatLoginException(
                        HttpStatus.TOO_MANY_REQUESTS,
                        "RATE_LIMITED",
                        "too many logins for this user in a minute: wait and retry" + detail);
            case 40226 ->
                new WeChatLoginException(
                        HttpStatus.FORBIDDEN,
                        "WECHAT_USER_BLOCKED",
                        "WeChat blocks logins of this high-risk user" + detail);
            case -1 -> unavailable("WeChat is busy: retry shortly" + detail);
            default ->
                new WeChatLoginException(HttpStatus.BAD_GATEWAY, "WECHAT_ERROR", "WeChat refused the login" + detail);
        };
    }

    private static WeChatLoginException unavailable(String message) {
        return new WeChatLoginException(HttpStatus.SERVICE_UNAVAILABLE, "WECHAT_UNAVAILABLE", message);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
