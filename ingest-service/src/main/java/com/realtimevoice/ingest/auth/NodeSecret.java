package com.realtimevoice.ingest.auth;

import com.realtimevoice.ingest.config.IngestProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The key every ingest node shares for the tokens the nodes sign themselves (resume tokens, watch tokens):
 * {@code INGEST_RESUME_SECRET}, else the HS256 JWT secret, else a random key of this node only (then such tokens
 * work only on the node that issued them). Each kind of token signs under its own key derived from this one, so a
 * token of one kind is never valid as another.
 */
@Component
public class NodeSecret {

    private static final Logger log = LoggerFactory.getLogger(NodeSecret.class);

    private final byte[] key;

    public NodeSecret(IngestProperties properties) {
        String secret = properties.reliability().resumeSecret();
        if (secret == null || secret.isBlank()) {
            secret = properties.auth().jwtSecret();
        }
        if (secret == null || secret.isBlank()) {
            key = new byte[32];
            new SecureRandom().nextBytes(key);
            log.warn(
                    "no INGEST_RESUME_SECRET (nor an HS256 AUTH_JWT_SECRET): sessions can be resumed, and watch tokens "
                            + "used, only on the node that issued them; set the same INGEST_RESUME_SECRET on every ingest node");
        } else {
            key = secret.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The shared key itself (resume tokens, as issued before watch tokens existed). */
    public SecretKeySpec key() {
        return new SecretKeySpec(key, "HmacSHA256");
    }

    /** A key for one purpose: HMAC-SHA256 of the purpose's name under the shared key. */
    public SecretKeySpec derivedKey(String purpose) {
        return new SecretKeySpec(hmac(key(), purpose.getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
    }

    /** HMAC-SHA256 of {@code data} under {@code key}: the signature of the nodes' own tokens. */
    public static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
