package com.realtimevoice.result.history;

/** A delete of a session that is still recording: the client ends it (or lets it end) first. */
class SessionLiveException extends RuntimeException {

    SessionLiveException(String sessionId) {
        super("session " + sessionId + " is still recording: send end (or close the socket) and delete it after"
                + " its completed message");
    }
}
