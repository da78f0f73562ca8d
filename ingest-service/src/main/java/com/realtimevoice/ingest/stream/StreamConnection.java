package com.realtimevoice.ingest.stream;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One client socket and the recognition session running on it (at most one at a time). Frames arrive on
 * one thread at a time; results arrive on Kafka listener threads, so state changes are synchronized and
 * sends go through Spring's thread-safe session decorator.
 */
final class StreamConnection {

    private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);

    private final WebSocketSession socket;
    private final long openedAtMs = System.currentTimeMillis();
    /** Token subject once a valid token has been seen; nothing runs before that. */
    private String userId;
    private java.time.Instant tokenExpiresAt;
    private ActiveSession session;
    private boolean closed;
    private final MessageAssembler assembler = new MessageAssembler();
    // Text frames counted in one-second windows (flood control).
    private long controlWindowStartMs;
    private int controlCount;

    StreamConnection(WebSocketSession socket) {
        this.socket = socket;
    }

    long openedAtMs() {
        return openedAtMs;
    }

    synchronized java.time.Instant tokenExpiresAt() {
        return tokenExpiresAt;
    }

    /**
     * Counts a text frame; returns how many came in the current second (the caller compares with its limit).
     */
    synchronized int countControlMessage(long nowMs) {
        if (nowMs - controlWindowStartMs >= 1000) {
            controlWindowStartMs = nowMs;
            controlCount = 0;
        }
        return ++controlCount;
    }

    String id() {
        return socket.getId();
    }

    MessageAssembler assembler() {
        return assembler;
    }

    WebSocketSession socket() {
        return socket;
    }

    synchronized String userId() {
        return userId;
    }

    /** Records the token's subject; false if the socket has closed (its per-user counts are released already). */
    synchronized boolean authenticate(String userId, java.time.Instant expiresAt) {
        if (closed) {
            return false;
        }
        this.userId = userId;
        this.tokenExpiresAt = expiresAt;
        return true;
    }

    /** The socket is gone: nothing begins on it any more. Returns the user whose socket count it held, if any. */
    synchronized String markClosed() {
        closed = true;
        return userId;
    }

    synchronized ActiveSession session() {
        return session;
    }

    /** Runs the session on this connection; false if the socket has closed meanwhile (nothing would ever end it). */
    synchronized boolean begin(ActiveSession s) {
        if (closed) {
            return false;
        }
        this.session = s;
        return true;
    }

    /** Forgets the session if it is still the current one; true if it was. */
    synchronized boolean finish(String sessionId) {
        if (session != null && session.sessionId().equals(sessionId)) {
            session = null;
            return true;
        }
        return false;
    }

    void send(String json) {
        try {
            if (socket.isOpen()) {
                socket.sendMessage(new TextMessage(json));
            }
        } catch (IOException | IllegalStateException e) {
            // The decorator closes a socket that is too slow to take its messages; the client can come back.
            log.debug("send to {} failed: {}", socket.getId(), e.getMessage());
        }
    }

    void sendError(ErrorCode code, String message) {
        send(ServerMessages.error(code, message));
        if (code.close != null) {
            close(code.close);
        }
    }

    void close(CloseStatus status) {
        try {
            socket.close(status);
        } catch (IOException e) {
            log.debug("close of {} failed: {}", socket.getId(), e.getMessage());
        }
    }
}
