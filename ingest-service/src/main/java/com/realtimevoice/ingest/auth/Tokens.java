package com.realtimevoice.ingest.auth;

/** Where a client may put its token: the Authorization header or a {@code token} query parameter. */
public final class Tokens {

    private Tokens() {}

    /** The bearer token from an Authorization header value, or null. */
    public static String fromAuthorizationHeader(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String t = h.substring(7).trim();
            return t.isEmpty() ? null : t;
        }
        return null;
    }
}
