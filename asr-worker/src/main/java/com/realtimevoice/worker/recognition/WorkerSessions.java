package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.audio.AudioFormat;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.segment.SegmentProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The worker's sessions: every {@link WorkerSession} open here, and the ones that closed lately
 * ({@link ClosedSessions}, to recognise redeliveries and late audio). Turns the audio topic's events into the
 * transcripts topic's events: a start opens a session ({@link SessionOpener}), its other events go to it, an event for
 * a session not open here is answered from what is remembered. Also ends sessions gone idle, and drops those whose
 * partition moved away. No Kafka here: {@link AudioListener} consumes, dispatches to lanes and publishes.
 *
 * <p>Events of one session arrive in order, one at a time (its lane on the engine pool, {@link SessionLanes}), but
 * sessions run side by side on several threads, hence the concurrent map; each session's monitor is held while one of
 * its events is handled, since the idle sweeper may touch it too.
 */
@Component
class WorkerSessions implements DisposableBean {

    static final String ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE";
    static final String SESSION_NOT_FOUND = "SESSION_NOT_FOUND";
    static final String UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT";
    /** A record of the session could not be decoded (dead-lettered): the session ends, retrying would fail again. */
    static final String UNPROCESSABLE = "UNPROCESSABLE";

    static final String START = "start";
    static final String END = "end";

    private static final Logger log = LoggerFactory.getLogger(WorkerSessions.class);

    private final RecognitionMetrics metrics;
    private final long idleTimeoutMs;
    private final Clock clock;
    private final AsyncOutputs asyncOutputs;
    private final SessionOpener opener;
    private final Map<String, WorkerSession> active = new ConcurrentHashMap<>();
    /** Sessions that ended or failed here, so that a redelivery of the event that closed them republishes its outputs. */
    private final ClosedSessions closed;

    /** For sessions on segment engines when no configuration is given (tests of streaming engines). */
    static final SegmentProperties DEFAULT_SEGMENTS = new SegmentProperties(
            java.time.Duration.ofMillis(600),
            java.time.Duration.ofSeconds(30),
            java.time.Duration.ofMillis(300),
            -50,
            12,
            SegmentProperties.NONE,
            SegmentProperties.Fallback.FAIL,
            "vosk");

    @Autowired
    WorkerSessions(
            EngineRegistry engines,
            RecognitionMetrics metrics,
            WorkerProperties properties,
            SegmentProperties segments,
            TranscriptPublisher publisher) {
        this(engines, metrics, properties, segments, publisher, Clock.systemUTC());
    }

    WorkerSessions(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties, Clock clock) {
        this(engines, metrics, properties, DEFAULT_SEGMENTS, events -> {}, clock);
    }

    WorkerSessions(
            EngineRegistry engines,
            RecognitionMetrics metrics,
            WorkerProperties properties,
            SegmentProperties segments,
            AsyncOutputs asyncOutputs,
            Clock clock) {
        this.metrics = metrics;
        this.idleTimeoutMs = properties.sessionIdleTimeout().toMillis();
        this.clock = clock;
        this.asyncOutputs = asyncOutputs;
        this.opener = new SessionOpener(engines, segments, asyncOutputs, metrics, clock);
        this.closed = new ClosedSessions(metrics, clock);
        metrics.activeSessions(active);
    }

    /**
     * Handles one event of the audio topic.
     *
     * @return the events to publish on the transcripts topic, in order (possibly none)
     * @throws MalformedEventException for an event that does not belong on the audio topic
     */
    List<PipelineEvent> handle(PipelineEvent event) {
        return handle(event, -1, null);
    }

    /**
     * As {@link #handle(PipelineEvent)}, for the record at {@code offset} of its partition (-1: unknown).
     *
     * @param from for a start: where the worker that had the session before a takeover left it, or null
     */
    List<PipelineEvent> handle(PipelineEvent event, long offset, ReplayPoint from) {
        if (event instanceof AudioChunk chunk) {
            return onChunk(chunk, offset);
        }
        if (event instanceof SessionStarted started) {
            return onStarted(started, from);
        }
        if (event instanceof SessionEnded ended) {
            return onEnded(ended);
        }
        if (event instanceof SessionResumed resumed) {
            return onResumed(resumed);
        }
        if (event instanceof SessionFlushed flushed) {
            return onFlushed(flushed, offset);
        }
        throw new MalformedEventException("unexpected " + EventType.of(event).token() + " on " + Topics.AUDIO);
    }

    /** @throws MalformedEventException for an event that does not belong on the audio topic */
    static void checkBelongsOnAudio(PipelineEvent event) {
        if (!(event instanceof AudioChunk
                || event instanceof SessionStarted
                || event instanceof SessionEnded
                || event instanceof SessionResumed
                || event instanceof SessionFlushed)) {
            throw new MalformedEventException(
                    "unexpected " + EventType.of(event).token() + " on " + Topics.AUDIO);
        }
    }

    /**
     * Handling an event threw (a bug: engine failures are outputs): the session fails with INTERNAL and its
     * recognizer is closed, so its later events are dropped as after any failure.
     */
    List<PipelineEvent> internalFailure(String sessionId, RuntimeException e) {
        String message = "recognition failed: " + e.getMessage();
        WorkerSession session = active.get(sessionId);
        if (session == null) {
            List<PipelineEvent> out = List.of(WorkerSession.failed(metrics, clock, sessionId, "INTERNAL", message));
            closed.remember(sessionId, "internal", out);
            return out;
        }
        synchronized (session) {
            if (!session.closed) {
                return closeIfDone(session, session.fail("internal", "INTERNAL", message));
            }
        }
        // closed meanwhile (by the idle sweep): the failure is still the answer to this record
        return List.of(WorkerSession.failed(metrics, clock, sessionId, "INTERNAL", message));
    }

    /**
     * A record keyed by this session was poison (dead-lettered): an open session fails with UNPROCESSABLE, after
     * what came before it on its lane; one not open here (closed, unknown, or a key that is no session) gets nothing.
     */
    List<PipelineEvent> poisoned(String sessionId, String reason) {
        WorkerSession session = active.get(sessionId);
        if (session == null) {
            return List.of();
        }
        synchronized (session) {
            if (session.closed) {
                return List.of();
            }
            return closeIfDone(
                    session,
                    session.fail(
                            "poison",
                            UNPROCESSABLE,
                            "a record of this session could not be processed (" + reason + "); the session has ended"));
        }
    }

    /** Whether the session has a recognizer here (started and not yet ended, failed, evicted or dropped). */
    boolean isOpen(String sessionId) {
        return active.containsKey(sessionId);
    }

    int activeSessions() {
        return active.size();
    }

    /** Where a takeover may resume the session (its lane's last record), or null: from its start. */
    ReplayPoint replayPoint(String sessionId) {
        WorkerSession session = active.get(sessionId);
        return session == null ? null : session.replayPoint();
    }

    private List<PipelineEvent> onStarted(SessionStarted started, ReplayPoint from) {
        String id = started.sessionId();
        // A second start is a replay (takeover, retry): begin again from scratch, the finals come out the same.
        WorkerSession previous = active.remove(id);
        if (previous != null) {
            synchronized (previous) {
                previous.close();
            }
        }
        closed.forget(id);
        // Forwarded first, even if the session fails below: the result service learns the route from it.
        List<PipelineEvent> out = new ArrayList<>(2);
        out.add(started);
        AudioFormat format;
        try {
            format = AudioFormat.parse(started.format(), started.sampleRate());
        } catch (IllegalArgumentException e) {
            return failedToStart(id, UNSUPPORTED_FORMAT, e.getMessage(), out);
        }
        WorkerSession session;
        try {
            session = opener.open(started, format);
        } catch (RuntimeException e) {
            log.warn("Session {}: cannot open engine '{}': {}", id, started.engine(), e.getMessage());
            return failedToStart(id, ENGINE_UNAVAILABLE, e.getMessage(), out);
        }
        session.resumeFrom(from);
        session.lastOutputs = out;
        active.put(id, session);
        log.debug("Session {} started on engine {} ({})", id, session.engine, format);
        return out;
    }

    /** The start is forwarded ({@code out}), then the failure; a redelivered start republishes the failure. */
    private List<PipelineEvent> failedToStart(String id, String code, String message, List<PipelineEvent> out) {
        out.add(WorkerSession.failed(metrics, clock, id, code, message));
        closed.remember(id, START, List.of(out.get(1)));
        return out;
    }

    /** The client's flush, in order with its audio. */
    private List<PipelineEvent> onFlushed(SessionFlushed flushed, long offset) {
        WorkerSession session = active.get(flushed.sessionId());
        if (session == null) {
            return List.of(); // ended, failed or unknown here: the end or the failure says what there is to say
        }
        synchronized (session) {
            if (session.closed) {
                return List.of();
            }
            return closeIfDone(session, session.flush(flushed, offset));
        }
    }

    /**
     * The client reattached, possibly on another node: its later chunks are numbered from the resume, and an end
     * from the node it left is no longer the session's. Nothing to publish: the listener forwarded the event to
     * result-service when it read it ({@link AudioListener}), ahead of this session's audio still queued here.
     */
    private List<PipelineEvent> onResumed(SessionResumed resumed) {
        WorkerSession session = active.get(resumed.sessionId());
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    session.resume(resumed);
                }
            }
        }
        return List.of();
    }

    private List<PipelineEvent> onChunk(AudioChunk chunk, long offset) {
        WorkerSession session = active.get(chunk.sessionId());
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    return closeIfDone(session, session.chunk(chunk, offset));
                }
            }
        }
        return closed.noState(chunk.sessionId(), "chunk#" + chunk.seq());
    }

    private List<PipelineEvent> onEnded(SessionEnded ended) {
        String id = ended.sessionId();
        WorkerSession session = active.get(id);
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    if (session.isStaleEnd(ended)) {
                        // The node the client left gave up on it, but the client has resumed elsewhere since.
                        metrics.skipped("stale_end");
                        return List.of();
                    }
                    return closeIfDone(session, session.finish());
                }
            }
        }
        return closed.noState(id, END);
    }

    /**
     * After one of the session's events (holding its monitor): if that event closed it, it leaves the open sessions
     * and is remembered with these outputs, republished if the event is redelivered.
     */
    private List<PipelineEvent> closeIfDone(WorkerSession session, List<PipelineEvent> outputs) {
        if (session.closed && session.closedBy != null) {
            active.remove(session.sessionId(), session);
            closed.remember(session.sessionId(), session.closedBy, outputs);
        }
        return outputs;
    }

    /**
     * Ends sessions that have seen nothing for the idle timeout (longer than the ingest nodes' resume window): the
     * node that held the socket died before it could end them. What was said is finalised and published, like an
     * end, so the session completes and stops holding its partition's commits back.
     */
    @Scheduled(fixedDelay = 30, timeUnit = TimeUnit.SECONDS)
    void evictIdle() {
        long cutoff = clock.millis() - idleTimeoutMs;
        for (WorkerSession session : active.values()) {
            List<PipelineEvent> out = List.of();
            synchronized (session) {
                if (!session.closed && session.idleSince(cutoff)) {
                    log.warn("Session {}: no event for {} ms, ending it", session.sessionId(), idleTimeoutMs);
                    out = closeIfDone(session, session.finish());
                    metrics.evicted();
                }
            }
            if (!out.isEmpty()) {
                asyncOutputs.publish(out);
            }
        }
    }

    /** Forgets sessions whose partition moved to another worker: that worker replays them (from their replay points). */
    void drop(Collection<String> sessionIds) {
        for (String id : sessionIds) {
            WorkerSession session = active.remove(id);
            if (session != null) {
                synchronized (session) {
                    session.close();
                }
            }
            closed.forget(id);
        }
    }

    /** Frees the engines' native resources when the context stops (the runner may start another in this JVM). */
    @Override
    public void destroy() {
        opener.close();
        for (WorkerSession session : active.values()) {
            synchronized (session) {
                session.close();
            }
        }
        active.clear();
    }
}
