package com.realtimevoice.ingest.stream;

import org.springframework.web.socket.CloseStatus;

/** The contract's error codes, and the close code used when the session cannot go on after one. */
enum ErrorCode {
    UNAUTHORIZED(new CloseStatus(1008, "unauthorized")),
    BAD_REQUEST(null),
    UNSUPPORTED_FORMAT(null),
    TOO_LARGE(new CloseStatus(1009, "message too large")),
    RATE_LIMITED(null),
    OVERLOADED(new CloseStatus(1013, "try again later")),
    ENGINE_UNAVAILABLE(null),
    SESSION_NOT_FOUND(null),
    INTERNAL(new CloseStatus(1011, "internal error")),
    /** The token expired while the connection was open: refresh it and reconnect (4001 is distinct from 1008). */
    TOKEN_EXPIRED(new CloseStatus(4001, "token expired")),
    /** The session ran past the maximum duration; it is ended and its finals still arrive. */
    MAX_DURATION(null),
    /** The session received no audio for the idle timeout; it is ended and its finals still arrive. */
    IDLE_TIMEOUT(null);

    /** null: the connection stays open after this error. */
    final CloseStatus close;

    ErrorCode(CloseStatus close) {
        this.close = close;
    }
}
