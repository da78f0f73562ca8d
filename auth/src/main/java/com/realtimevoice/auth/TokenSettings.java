package com.realtimevoice.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How tokens are signed and checked.
 *
 * @param secret HS256 key, at least 32 bytes (RFC 7518 3.2)
 * @param leeway clock skew tolerated on exp/nbf
 */
public record TokenSettings(String secret, String issuer, String audience, Duration leeway) {

    public TokenSettings {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException(
                    "the JWT secret (AUTH_JWT_SECRET) must be set and at least 32 bytes long for HS256");
        }
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("the JWT issuer and audience must be set");
        }
        if (leeway == null || leeway.isNegative()) {
            throw new IllegalArgumentException("the JWT leeway must be zero or positive");
        }
    }
}
