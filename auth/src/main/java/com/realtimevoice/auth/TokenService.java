package com.realtimevoice.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import javax.crypto.SecretKey;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

/**
 * Signs and verifies the product's tokens. The algorithm is pinned to HS256 by the key type: a token
 * signed any other way (or not at all, alg=none) is rejected.
 */
public final class TokenService {

    private final TokenSettings settings;
    private final SecretKey key;
    private final JwtParser parser;
    private final Clock clock;

    public TokenService(TokenSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public TokenService(TokenSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.key = Keys.hmacShaKeyFor(settings.secret().getBytes(StandardCharsets.UTF_8));
        this.parser = Jwts.parser()
                .verifyWith(key)
                .requireIssuer(settings.issuer())
                .requireAudience(settings.audience())
                .clockSkewSeconds(settings.leeway().toSeconds())
                .clock(() -> Date.from(clock.instant()))
                .build();
    }

    public String issue(String userId, Duration ttl) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        Instant now = clock.instant();
        return Jwts.builder()
                .id(UUID.randomUUID().toString())
                .subject(userId)
                .issuer(settings.issuer())
                .audience().add(settings.audience()).and()
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .signWith(key, Jwts.SIG.HS256)
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
            if (claims.getExpiration() == null) {
                throw new InvalidTokenException("token has no expiry");
            }
            return new VerifiedToken(claims.getSubject(), claims.getExpiration().toInstant());
        } catch (JwtException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token: " + e.getMessage(), e);
        }
    }
}
