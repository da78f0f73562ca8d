package com.realtimevoice.result.history;

/** No such session for this caller: absent, or someone else's (the two are deliberately indistinguishable). */
class SessionNotFoundException extends RuntimeException {

    SessionNotFoundException(String sessionId) {
        super("no session " + sessionId);
    }
}
