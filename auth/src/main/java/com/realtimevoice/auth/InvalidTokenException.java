package com.realtimevoice.auth;

/** The token is missing, malformed, expired, not yet valid, for someone else, or forged. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String message) {
        super(message);
    }

    public InvalidTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
