package com.realtimevoice.result.history;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of {@code GET /api/sessions} ends: the (startedAt, sessionId) of its last session, opaque to clients
 * (base64url of {@code <epoch millis>:<session id>}). The next page lists the sessions before it.
 */
record SessionCursor(Instant startedAt, String sessionId) {

    /** Longer than any cursor this server makes (20 digits, a colon, a 64-character id, in base64). */
    static final int MAX_LENGTH = 128;

    private static final int MAX_SESSION_ID = 64;

    String encode() {
        String plain = startedAt.toEpochMilli() + ":" + sessionId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws BadRequestException naming {@code before} when the value is not a cursor this server made */
    static SessionCursor decode(String value) {
        if (value.length() > MAX_LENGTH) {
            throw invalid();
        }
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        int colon = plain.indexOf(':');
        if (colon < 1 || colon == plain.length() - 1 || plain.length() - colon - 1 > MAX_SESSION_ID) {
            throw invalid();
        }
        try {
            return new SessionCursor(
                    Instant.ofEpochMilli(Long.parseLong(plain.substring(0, colon))), plain.substring(colon + 1));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw invalid();
        }
    }

    private static BadRequestException invalid() {
        return new BadRequestException("before must be the 'next' value of a previous page");
    }
}
