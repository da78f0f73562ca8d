package com.realtimevoice.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How tokens are signed and checked. The algorithm is pinned: a token whose header names any other is rejected.
 *
 * <ul>
 *   <li>HS256: {@code secret} (at least 32 bytes, RFC 7518 3.2) signs and verifies.</li>
 *   <li>RS256 / ES256: verification with {@code publicKeyPem} (X.509 SubjectPublicKeyInfo) or the keys published at
 *       {@code jwksUrl}; {@code privateKeyPem} (PKCS#8) is needed only where this product issues tokens.</li>
 * </ul>
 *
 * @param leeway clock skew tolerated on exp/nbf
 */
public record TokenSettings(
        String algorithm,
        String secret,
        String publicKeyPem,
        String privateKeyPem,
        URI jwksUrl,
        String issuer,
        String audience,
        Duration leeway) {

    public static final String HS256 = "HS256";
    public static final String RS256 = "RS256";
    public static final String ES256 = "ES256";

    public TokenSettings {
        algorithm = algorithm == null || algorithm.isBlank()
                ? HS256
                : algorithm.trim().toUpperCase(java.util.Locale.ROOT);
        switch (algorithm) {
            case HS256 -> {
                if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                    throw new IllegalArgumentException(
                            "the JWT secret (AUTH_JWT_SECRET) must be set and at least 32 bytes long for HS256");
                }
            }
            case RS256, ES256 -> {
                if (blank(publicKeyPem) && jwksUrl == null) {
                    throw new IllegalArgumentException("AUTH_JWT_ALGORITHM=" + algorithm
                            + " needs a public key (AUTH_JWT_PUBLIC_KEY, PEM) or a JWKS URL (AUTH_JWT_JWKS_URL)");
                }
            }
            default ->
                throw new IllegalArgumentException(
                        "AUTH_JWT_ALGORITHM must be HS256, RS256 or ES256, not '" + algorithm + "'");
        }
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("the JWT issuer and audience must be set");
        }
        if (leeway == null || leeway.isNegative()) {
            throw new IllegalArgumentException("the JWT leeway must be zero or positive");
        }
    }

    /** HS256 with a shared secret: the simplest deployment. */
    public TokenSettings(String secret, String issuer, String audience, Duration leeway) {
        this(HS256, secret, null, null, null, issuer, audience, leeway);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
