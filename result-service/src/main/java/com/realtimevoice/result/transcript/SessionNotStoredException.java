package com.realtimevoice.result.transcript;

/**
 * An event for a session whose start was never stored (the start comes first on the session's partition, so it was
 * dead-lettered or never sent): not retried, the record is dead-lettered.
 */
public class SessionNotStoredException extends RuntimeException {

    public SessionNotStoredException(String sessionId) {
        super("session " + sessionId + " is not stored: no SessionStarted has been seen for it");
    }
}
