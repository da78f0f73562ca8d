package com.realtimevoice.result.intake;

/**
 * A record of a session that failed here on poison: it is dead-lettered with this reason, next to the record that
 * poisoned the session, so the session can be replayed whole from the dead-letter topic once the cause is fixed.
 */
class PoisonedSessionException extends RuntimeException {

    PoisonedSessionException(String sessionId, String why) {
        super("session " + sessionId + " failed on an earlier record (" + why + "); its later records follow it");
    }
}
