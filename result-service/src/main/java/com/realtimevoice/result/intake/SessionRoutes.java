package com.realtimevoice.result.intake;

import com.realtimevoice.events.EventType;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.TranscriptStore;

/**
 * The route step: which node's topic a session's results go to. A start (or a resume, or a join) names its node in
 * the record; every other event goes where the cache says, else where the stored session says.
 */
final class SessionRoutes {

    private final RouteCache cache;
    private final TranscriptStore store;

    SessionRoutes(RouteCache cache, TranscriptStore store) {
        this.cache = cache;
        this.store = store;
    }

    /** The cache first, then the stored session; with neither there is nowhere to deliver: throw. */
    Route of(PipelineEvent event) {
        Route route = cache.get(event.sessionId());
        if (route == null) {
            route = store.findRoute(event.sessionId())
                    .orElseThrow(() -> new NoRouteException(
                            event.sessionId(), EventType.of(event).token()));
            cache.put(event.sessionId(), route);
        }
        return route;
    }

    /** Where a session's client may be told it failed, if anywhere: as {@link #of}, null instead of throwing. */
    Route known(String sessionId, PipelineEvent event) {
        Route route = event instanceof SessionStarted started ? declared(started) : cache.get(sessionId);
        if (route == null) {
            route = store.findRoute(sessionId).orElse(null);
        }
        return route;
    }

    void remember(String sessionId, Route route) {
        cache.put(sessionId, route);
    }

    /** Done with the session (or its route moved, or is not stored): a late replay reads it back from the row. */
    void forget(String sessionId) {
        cache.remove(sessionId);
    }

    static Route declared(SessionStarted started) {
        return declared(started.sessionId(), started.nodeId(), started.replyTopic());
    }

    /** The route a record names: its node's own topic unless it names a reply topic; a bad node id is poison. */
    static Route declared(String sessionId, String nodeId, String replyTopic) {
        try {
            String ownTopic = Topics.delivery(nodeId); // validates the node id
            return new Route(nodeId, replyTopic == null || replyTopic.isBlank() ? ownTopic : replyTopic);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("session " + sessionId + ": " + e.getMessage(), e);
        }
    }
}
