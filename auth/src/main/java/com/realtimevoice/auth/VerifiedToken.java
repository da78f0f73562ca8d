package com.realtimevoice.auth;

import java.time.Instant;

/** The identity a valid token carries: {@code userId} is the token subject. */
public record VerifiedToken(String userId, Instant expiresAt) {
}
