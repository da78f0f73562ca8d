package com.realtimevoice.ingest.auth;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.web.ApiError;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Hands out tokens for any user id. Exists only in the local profile: production issues tokens elsewhere. */
@RestController
@Profile("local")
class DevTokenController {

    private final TokenService tokens;
    private final IngestProperties properties;

    DevTokenController(TokenService tokens, IngestProperties properties) {
        this.tokens = tokens;
        this.properties = properties;
    }

    record DevTokenRequest(String userId) {}

    @PostMapping("/api/auth/dev-token")
    ResponseEntity<?> issue(@RequestBody(required = false) DevTokenRequest request) {
        if (request == null || request.userId() == null || !request.userId().matches("[A-Za-z0-9._@-]{1,128}")) {
            return ApiError.response(
                    ApiError.BAD_REQUEST, "body must be {\"userId\":\"...\"} with 1-128 characters of [A-Za-z0-9._@-]");
        }
        String token = tokens.issue(request.userId(), properties.auth().devTokenTtl());
        return ResponseEntity.ok(Map.of(
                "token",
                token,
                "userId",
                request.userId(),
                "expiresIn",
                properties.auth().devTokenTtl().toSeconds()));
    }
}
