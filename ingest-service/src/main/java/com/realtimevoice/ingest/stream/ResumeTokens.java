package com.realtimevoice.ingest.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Resume tokens any ingest node can check without shared state: the session id, its owner, its audio format and
 * when it started (so its maximum duration and audio budget run from the real start on any node), signed with HMAC-SHA256 under a key all nodes share ({@code INGEST_RESUME_SECRET}, else the HS256 JWT secret).
 * A token is bound to its session and user: it is worthless to anyone else, even with a valid token of their own.
 */
@Component
class ResumeTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** What a resume token vouches for; {@code startedAtMs} is 0 in tokens issued before it was carried. */
    record Claims(String sessionId, String userId, String format, int sampleRate, long startedAtMs) {}

    private final SecretKeySpec key;

    ResumeTokens(com.realtimevoice.ingest.auth.NodeSecret secret) {
        this.key = secret.key();
    }

    String issue(Claims c) {
        String payload = B64.encodeToString(String.join(
                        "\n",
                        c.sessionId(),
                        c.userId(),
                        c.format(),
                        Integer.toString(c.sampleRate()),
                        Long.toString(c.startedAtMs()))
                .getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** The claims of a genuine token for this session and user, or null for anything else. */
    Claims verify(String token, String sessionId, String userId) {
        if (token == null || sessionId == null || userId == null) {
            return null;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return null;
        }
        String payload = token.substring(0, dot);
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            return null;
        }
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (parts.length < 4 || parts.length > 5 || !parts[0].equals(sessionId) || !parts[1].equals(userId)) {
            return null;
        }
        try {
            return new Claims(
                    parts[0],
                    parts[1],
                    parts[2],
                    Integer.parseInt(parts[3]),
                    parts.length == 5 ? Long.parseLong(parts[4]) : 0);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private byte[] mac(String payload) {
        return com.realtimevoice.ingest.auth.NodeSecret.hmac(key, payload.getBytes(StandardCharsets.US_ASCII));
    }
}
