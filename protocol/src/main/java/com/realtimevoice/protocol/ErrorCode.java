package com.realtimevoice.protocol;

/**
 * The stable codes of the {@code error} message, and the close that follows one where the session cannot go on.
 * {@link ServerMessage.Error} carries its code as text: the pipeline reports its own codes (a session's failure,
 * such as {@code UNPROCESSABLE}) that ingest passes through.
 */
public enum ErrorCode {
    UNAUTHORIZED(CloseCode.POLICY_VIOLATION, "unauthorized"),
    BAD_REQUEST(null, null),
    UNSUPPORTED_FORMAT(null, null),
    TOO_LARGE(CloseCode.TOO_BIG, "message too large"),
    RATE_LIMITED(null, null),
    OVERLOADED(CloseCode.TRY_AGAIN_LATER, "try again later"),
    ENGINE_UNAVAILABLE(null, null),
    SESSION_NOT_FOUND(null, null),
    INTERNAL(CloseCode.INTERNAL_ERROR, "internal error"),
    /** The token expired while the connection was open: refresh it and reconnect. */
    TOKEN_EXPIRED(CloseCode.TOKEN_EXPIRED, "token expired"),
    /** The session ran past the maximum duration; it is ended and its finals still arrive. */
    MAX_DURATION(null, null),
    /** The session received no audio for the idle timeout; it is ended and its finals still arrive. */
    IDLE_TIMEOUT(null, null);

    /** null: the connection stays open after this error. */
    public final CloseCode close;
    /** The close frame's reason, when there is a close. */
    public final String closeReason;

    ErrorCode(CloseCode close, String closeReason) {
        this.close = close;
        this.closeReason = closeReason;
    }

    /** @return the error code of this name, or null for a code of the pipeline's own (a session's failure) */
    public static ErrorCode of(String code) {
        for (ErrorCode c : values()) {
            if (c.name().equals(code)) {
                return c;
            }
        }
        return null;
    }
}
