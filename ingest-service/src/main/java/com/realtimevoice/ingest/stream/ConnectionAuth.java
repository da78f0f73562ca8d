package com.realtimevoice.ingest.stream;

import com.realtimevoice.auth.InvalidTokenException;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import org.springframework.web.socket.CloseStatus;

/** The authentication step of an {@link IngestSession}: a token (upgrade request, start or resume) names its user. */
final class ConnectionAuth {

    private ConnectionAuth() {}

    /**
     * Checks a token and makes its subject the connection's user; false (and the connection closed) if it is not
     * valid, or if the user already holds {@code INGEST_MAX_SOCKETS_PER_USER} sockets.
     */
    static boolean authenticate(IngestSession session, String token, SessionServices services) {
        StreamConnection connection = session.connection();
        com.realtimevoice.auth.VerifiedToken verified;
        try {
            verified = services.tokens().verify(token);
        } catch (InvalidTokenException e) {
            session.error(ErrorCode.UNAUTHORIZED, e.getMessage());
            return false;
        }
        if (verified.expiresAt() != null && !verified.expiresAt().isAfter(java.time.Instant.now())) {
            // Inside the verifier's clock-skew leeway but expired by this node's clock: refused now, with the reason,
            // rather than admitted and closed with TOKEN_EXPIRED a moment later.
            session.error(ErrorCode.UNAUTHORIZED, "the token expired at " + verified.expiresAt() + "; get a new one");
            return false;
        }
        String previous = connection.userId();
        if (verified.userId().equals(previous)) {
            connection.authenticate(verified.userId(), verified.expiresAt());
            return true;
        }
        if (!services.counts().tryAddSocket(verified.userId())) {
            services.meters()
                    .counter("ingest.errors", "code", ErrorCode.RATE_LIMITED.name())
                    .increment();
            connection.send(new ServerMessage.Error(
                    ErrorCode.RATE_LIMITED,
                    "too many open connections for this user (limit "
                            + services.limits().maxSocketsPerUser() + "); close one first"));
            connection.close(CloseStatus.POLICY_VIOLATION.withReason("too many connections"));
            return false;
        }
        if (!connection.authenticate(verified.userId(), verified.expiresAt())) {
            services.counts().removeSocket(verified.userId()); // closed meanwhile
            return false;
        }
        if (previous != null) {
            services.counts().removeSocket(previous);
        }
        return true;
    }
}
