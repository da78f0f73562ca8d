package com.realtimevoice.result.transcript;

/** An event for a session whose start was never stored; retryable, in case the start is still on its way. */
public class SessionNotStoredException extends RuntimeException {

    public SessionNotStoredException(String sessionId) {
        super("session " + sessionId + " is not stored: no SessionStarted has been seen for it");
    }
}
