package com.realtimevoice.result.intake;

/**
 * No node is known for a session: its SessionStarted was never seen. Retryable (it may be a moment behind);
 * after the retries the record is dead-lettered with this message, never silently dropped.
 */
class NoRouteException extends RuntimeException {

    NoRouteException(String sessionId, String eventType) {
        super("no route for session " + sessionId + " (" + eventType
                + "): no SessionStarted has been stored for it, so no ingest node is known to hold its socket");
    }
}
