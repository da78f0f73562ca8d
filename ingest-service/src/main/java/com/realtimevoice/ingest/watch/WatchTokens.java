package com.realtimevoice.ingest.watch;

import com.realtimevoice.ingest.auth.NodeSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Read-only tokens bound to one session: any ingest node checks them without shared state (HMAC-SHA256 under a key
 * derived from the nodes' shared secret, {@link NodeSecret}). The token carries the session's watch epoch: revoking
 * moves the epoch on in result-service, and a node refuses tokens of an older epoch once it knows the new one.
 * Not a JWT: it cannot be used as a user's token anywhere, nor a user's token as a watch token.
 */
@Component
class WatchTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String VERSION = "w1";
    /** A token is short (an id, a user, two numbers); anything longer is refused before any work. */
    static final int MAX_TOKEN_CHARS = 1024;

    /** What a watch token vouches for. */
    record Claims(String sessionId, String ownerId, int epoch, long expiresAtMs) {}

    private final SecretKeySpec key;

    WatchTokens(NodeSecret secret) {
        this.key = secret.derivedKey("realtime-voice watch token v1");
    }

    String issue(Claims c) {
        String payload = B64.encodeToString(String.join(
                        "\n",
                        VERSION,
                        c.sessionId(),
                        c.ownerId(),
                        Integer.toString(c.epoch()),
                        Long.toString(c.expiresAtMs()))
                .getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** The claims of a genuine, unexpired token; null for anything else (forged, expired, malformed). */
    Claims verify(String token, long nowMs) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            return null;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return null;
        }
        String payload = token.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(mac(payload), Base64.getUrlDecoder().decode(token.substring(dot + 1)))) {
                return null;
            }
            String[] parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n", -1);
            if (parts.length != 5 || !VERSION.equals(parts[0])) {
                return null;
            }
            Claims claims = new Claims(parts[1], parts[2], Integer.parseInt(parts[3]), Long.parseLong(parts[4]));
            return claims.expiresAtMs() > nowMs ? claims : null;
        } catch (IllegalArgumentException e) { // bad base64, bad number
            return null;
        }
    }

    private byte[] mac(String payload) {
        return com.realtimevoice.ingest.auth.NodeSecret.hmac(key, payload.getBytes(StandardCharsets.US_ASCII));
    }
}
