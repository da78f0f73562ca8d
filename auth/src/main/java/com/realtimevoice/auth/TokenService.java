package com.realtimevoice.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Header;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.Locator;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Signs and verifies the product's tokens. The algorithm is pinned by configuration: a token signed any other way,
 * or not at all (alg=none), or with a public key used as an HMAC secret (key confusion), is rejected before its
 * signature is even considered.
 */
public final class TokenService {

    private final TokenSettings settings;
    private final Key verificationKey;
    private final Key signingKey;
    private final JwksKeys jwks;
    private final JwtParser parser;
    private final Clock clock;

    public TokenService(TokenSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public TokenService(TokenSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        switch (settings.algorithm()) {
            case TokenSettings.HS256 -> {
                SecretKey key = Keys.hmacShaKeyFor(settings.secret().getBytes(StandardCharsets.UTF_8));
                this.verificationKey = key;
                this.signingKey = key;
                this.jwks = null;
            }
            default -> {
                String family = settings.algorithm().startsWith("RS") ? "RSA" : "EC";
                this.verificationKey = settings.publicKeyPem() == null
                                || settings.publicKeyPem().isBlank()
                        ? null
                        : publicKey(settings.publicKeyPem(), family);
                this.signingKey = settings.privateKeyPem() == null
                                || settings.privateKeyPem().isBlank()
                        ? null
                        : privateKey(settings.privateKeyPem(), family);
                this.jwks = verificationKey == null ? new JwksKeys(settings.jwksUrl(), clock) : null;
            }
        }
        this.parser = Jwts.parser()
                .keyLocator(new PinnedKeyLocator())
                .requireIssuer(settings.issuer())
                .requireAudience(settings.audience())
                .clockSkewSeconds(settings.leeway().toSeconds())
                .clock(() -> Date.from(clock.instant()))
                .build();
    }

    /** Issues a token for {@code userId}; only where this deployment holds a signing key. */
    public String issue(String userId, Duration ttl) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        if (signingKey == null) {
            throw new IllegalStateException("this deployment verifies " + settings.algorithm()
                    + " tokens but holds no private key (AUTH_JWT_PRIVATE_KEY) to issue them");
        }
        Instant now = clock.instant();
        return Jwts.builder()
                .id(UUID.randomUUID().toString())
                .subject(userId)
                .issuer(settings.issuer())
                .audience()
                .add(settings.audience())
                .and()
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .signWith(signingKey, signatureAlgorithm())
                .compact();
    }

    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        try {
            Claims claims = parser.parseSignedClaims(token.trim()).getPayload();
            if (claims.getSubject() == null || claims.getSubject().isBlank()) {
                throw new InvalidTokenException("token has no subject");
            }
            if (claims.getSubject().length() > VerifiedToken.MAX_SUBJECT_CHARS) {
                // refused here, not by the database long after the session started
                throw new InvalidTokenException(
                        "token subject is longer than " + VerifiedToken.MAX_SUBJECT_CHARS + " characters");
            }
            if (claims.getExpiration() == null) {
                throw new InvalidTokenException("token has no expiry");
            }
            return new VerifiedToken(claims.getSubject(), claims.getExpiration().toInstant());
        } catch (JwtException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private SecureDigestAlgorithm<Key, ?> signatureAlgorithm() {
        return (SecureDigestAlgorithm<Key, ?>) Jwts.SIG.get().forKey(settings.algorithm());
    }

    /** Chooses the key only for the configured algorithm, so the header cannot pick a weaker or different one. */
    private final class PinnedKeyLocator implements Locator<Key> {
        @Override
        public Key locate(Header header) {
            if (!(header instanceof JwsHeader jws)) {
                throw new io.jsonwebtoken.security.UnsupportedKeyException("unsigned tokens are not accepted");
            }
            if (!settings.algorithm().equals(jws.getAlgorithm())) {
                throw new io.jsonwebtoken.security.UnsupportedKeyException(
                        "token algorithm " + jws.getAlgorithm() + " is not the configured " + settings.algorithm());
            }
            return verificationKey != null ? verificationKey : jwks.key(jws.getKeyId());
        }
    }

    static PublicKey publicKey(String pem, String family) {
        try {
            return KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der(pem)));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "AUTH_JWT_PUBLIC_KEY is not a PEM " + family + " public key: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem, String family) {
        try {
            return KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der(pem)));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "AUTH_JWT_PRIVATE_KEY is not a PEM (PKCS#8) " + family + " private key: " + e.getMessage(), e);
        }
    }

    private static byte[] der(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END)[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }
}
