package com.realtimevoice.result.history;

/** A delete of a session still recording that no worker ended in time (LiveSessionDeletion): try again later. */
class SessionLiveException extends RuntimeException {

    SessionLiveException(String sessionId) {
        super("session " + sessionId + " is still recording and could not be ended in time (no recognition worker"
                + " answered); try the delete again shortly");
    }
}
