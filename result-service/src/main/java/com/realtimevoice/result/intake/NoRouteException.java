package com.realtimevoice.result.intake;

/**
 * No node is known for a session: its SessionStarted was never stored (it shares the session's partition and comes
 * first, so it was dead-lettered, or never sent). Poison: dead-lettered at once with this message, never dropped.
 */
class NoRouteException extends RuntimeException {

    NoRouteException(String sessionId, String eventType) {
        super("no route for session " + sessionId + " (" + eventType
                + "): no SessionStarted has been stored for it, so no ingest node is known to hold its socket");
    }
}
