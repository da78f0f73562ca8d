package com.realtimevoice.result.intake;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.result.transcript.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What waits to be written in one transaction, then delivered: starts, finals and completions (to write, then
 * deliver) and partials (to deliver), in record order. It keeps each session's order: the rules for what may join
 * ({@link EventDispatch}) read which sessions are in it and whether a session's completion, its last event here, is.
 */
final class PendingGroup {

    private final List<Pending> events = new ArrayList<>();
    /** The sessions in the group; true once the session's completion is in it (its last event there). */
    private final Map<String, Boolean> sessions = new HashMap<>();

    private int finals;

    boolean isEmpty() {
        return events.isEmpty();
    }

    boolean has(String sessionId) {
        return sessions.containsKey(sessionId);
    }

    /** Whether the session's completion is in the group: anything of it after that goes in the next one. */
    boolean completing(String sessionId) {
        return Boolean.TRUE.equals(sessions.get(sessionId));
    }

    void add(int index, PipelineEvent event, Route route) {
        events.add(new Pending(index, event, route));
        sessions.putIfAbsent(event.sessionId(), false);
    }

    /** A final joined: how many the group holds now. */
    int finalAdded() {
        return ++finals;
    }

    /** The session's completion joined: its last event in this group. */
    void completes(String sessionId) {
        sessions.put(sessionId, true);
    }

    /** Everything in the group, which starts empty again. */
    List<Pending> take() {
        List<Pending> pending = new ArrayList<>(events);
        events.clear();
        sessions.clear();
        finals = 0;
        return pending;
    }

    /** An event waiting in the group (a start, final or completion to write; a partial to deliver), with its route. */
    record Pending(int index, PipelineEvent event, Route route) {}
}
