package com.realtimevoice.protocol;

/** The WebSocket close codes the server ends a connection with (RFC 6455, plus one of the private range). */
public enum CloseCode {
    NORMAL(1000),
    POLICY_VIOLATION(1008),
    TOO_BIG(1009),
    INTERNAL_ERROR(1011),
    TRY_AGAIN_LATER(1013),
    /** The token expired while the connection was open: distinct from 1008 so a client knows to refresh it. */
    TOKEN_EXPIRED(4001);

    public final int code;

    CloseCode(int code) {
        this.code = code;
    }

    /** @return the close code with this number, or null if it is none of these */
    public static CloseCode of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
