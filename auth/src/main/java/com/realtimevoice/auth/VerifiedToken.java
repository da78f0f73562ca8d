package com.realtimevoice.auth;

import java.time.Instant;

/** The identity a valid token carries: {@code userId} is the token subject. */
public record VerifiedToken(String userId, Instant expiresAt) {

    /** The longest subject accepted: transcript_session.user_id is VARCHAR(128), and a subject is stored there. */
    public static final int MAX_SUBJECT_CHARS = 128;
}
