package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.PipelineEvent;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions that ended or failed on this worker lately, with the event that closed them and what it produced: a
 * redelivery of that event (its outputs may not have reached Kafka) republishes them, and later events of the session
 * (audio still in flight) are dropped. An event for a session neither open nor remembered here fails it once with
 * {@code SESSION_NOT_FOUND}. Part of {@link WorkerSessions}.
 */
final class ClosedSessions {

    /** Sessions remembered after they end or fail, to recognise redeliveries and late audio. */
    private static final int CLOSED_SESSIONS_REMEMBERED = 10_000;

    private static final Logger log = LoggerFactory.getLogger(WorkerSessions.class);

    private final RecognitionMetrics metrics;
    private final Clock clock;
    private final Map<String, Closed> closed = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Closed> eldest) {
            return size() > CLOSED_SESSIONS_REMEMBERED;
        }
    });

    ClosedSessions(RecognitionMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The session closed on {@code trigger} with these outputs. */
    void remember(String sessionId, String trigger, List<PipelineEvent> outputs) {
        closed.put(sessionId, new Closed(trigger, outputs, false));
    }

    /** A replayed start, or the partition moved away: whatever comes next for the session is new. */
    void forget(String sessionId) {
        closed.remove(sessionId);
    }

    /**
     * An event for a session with no open recognizer here. Either it ended or failed already (a redelivery, or
     * audio still in flight), or this worker never saw its start (state lost when the partition moved).
     *
     * @param trigger {@code end} or {@code chunk#<seq>}
     */
    List<PipelineEvent> noState(String sessionId, String trigger) {
        Closed done = closed.get(sessionId);
        if (done != null) {
            if (done.trigger().equals(trigger)) {
                // The event that closed the session, redelivered: its outputs may not have reached Kafka.
                metrics.skipped("redelivered");
                return done.outputs();
            }
            if (done.orphan() && !trigger.equals(WorkerSessions.END)) {
                metrics.orphanedChunk(); // still no state: counted each time, reported once
                return List.of();
            }
            metrics.skipped("session_closed");
            log.debug("Session {}: {} after the session closed, dropped", sessionId, trigger);
            return List.of();
        }
        if (!trigger.equals(WorkerSessions.END)) {
            metrics.orphanedChunk();
        }
        log.warn("Session {}: {} but this worker has no state for the session", sessionId, trigger);
        // Told once: the session is remembered as closed, so its further chunks do not repeat the failure.
        List<PipelineEvent> out = List.of(WorkerSession.failed(
                metrics,
                clock,
                sessionId,
                WorkerSessions.SESSION_NOT_FOUND,
                "the worker has no state for this session (its start was not seen here)"));
        closed.put(sessionId, new Closed(trigger, out, true));
        return out;
    }

    /**
     * @param trigger the event that closed the session: {@code start}, {@code end}, {@code chunk#<seq>},
     *                {@code internal} or {@code poison}
     * @param orphan  closed because this worker had no state for it (SESSION_NOT_FOUND)
     */
    private record Closed(String trigger, List<PipelineEvent> outputs, boolean orphan) {}
}
