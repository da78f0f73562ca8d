package com.realtimevoice.result.history;

import com.realtimevoice.auth.InvalidTokenException;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.VerifiedToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Reads {@code Authorization: Bearer <jwt>}; the identity comes from the token, never from the request. */
@Component
class BearerAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(BearerAuthenticator.class);

    private static final String BEARER = "Bearer ";

    private final TokenService tokens;

    BearerAuthenticator(TokenService tokens) {
        this.tokens = tokens;
    }

    VerifiedToken authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new UnauthorizedException("an Authorization: Bearer token is required");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new UnauthorizedException("the Authorization header must be 'Bearer <token>'");
        }
        try {
            return tokens.verify(authorization.substring(BEARER.length()));
        } catch (InvalidTokenException e) {
            // The reason (expired, bad signature, ...) goes to the debug log, not to the caller.
            log.debug("rejected token: {}", e.getMessage());
            throw new UnauthorizedException("the token is invalid or expired");
        }
    }
}
