package com.realtimevoice.worker.recognition;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;

/**
 * Turns the audio topic's events into the transcripts topic's events, keeping one recognizer per session
 * in memory. No Kafka here: {@link AudioListener} consumes and publishes.
 *
 * <p>Events of one session arrive in order on one thread (one partition, one consumer thread), but a
 * partition may move between threads, hence the concurrent map.
 */
@Component
class SessionRecognizers implements DisposableBean {

    static final String ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE";
    static final String SESSION_NOT_FOUND = "SESSION_NOT_FOUND";
    static final String UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT";
    /** Sessions remembered after they end or fail, to recognise redeliveries and late audio. */
    private static final int CLOSED_SESSIONS_REMEMBERED = 10_000;
    private static final String START = "start";
    private static final String END = "end";

    private static final Logger log = LoggerFactory.getLogger(SessionRecognizers.class);

    private final EngineRegistry engines;
    private final RecognitionMetrics metrics;
    private final long idleTimeoutMs;
    private final Clock clock;
    private final Map<String, SessionRecognizer> active = new ConcurrentHashMap<>();
    /** Sessions that ended or failed here, so that a redelivery of the event that closed them republishes its outputs. */
    private final Map<String, Closed> closed = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Closed> eldest) {
                    return size() > CLOSED_SESSIONS_REMEMBERED;
                }
            });

    @Autowired
    SessionRecognizers(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties) {
        this(engines, metrics, properties, Clock.systemUTC());
    }

    SessionRecognizers(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties, Clock clock) {
        this.engines = engines;
        this.metrics = metrics;
        this.idleTimeoutMs = properties.sessionIdleTimeout().toMillis();
        this.clock = clock;
        metrics.activeSessions(active);
    }

    /**
     * Handles one event of the audio topic.
     *
     * @return the events to publish on the transcripts topic, in order (possibly none)
     * @throws MalformedEventException for an event that does not belong on the audio topic
     */
    List<PipelineEvent> handle(PipelineEvent event) {
        if (event instanceof AudioChunk chunk) {
            return onChunk(chunk);
        }
        if (event instanceof SessionStarted started) {
            return onStarted(started);
        }
        if (event instanceof SessionEnded ended) {
            return onEnded(ended);
        }
        throw new MalformedEventException("unexpected " + EventType.of(event).token() + " on " + Topics.AUDIO);
    }

    int activeSessions() {
        return active.size();
    }

    private List<PipelineEvent> onStarted(SessionStarted started) {
        String id = started.sessionId();
        // A second start is a replay (takeover, retry): begin again from scratch, the finals come out the same.
        SessionRecognizer previous = active.remove(id);
        if (previous != null) {
            synchronized (previous) {
                previous.close();
            }
        }
        closed.remove(id);
        long now = now();
        // Forwarded first, even if the session fails below: the result service learns the route from it.
        List<PipelineEvent> out = new ArrayList<>(2);
        out.add(started);
        if (started.format() != null && !"pcm".equalsIgnoreCase(started.format())) {
            out.add(fail(id, UNSUPPORTED_FORMAT, "the worker takes 16-bit PCM only, got format '" + started.format() + "'"));
            closed.put(id, new Closed(START, List.of(out.get(1)), false));
            return out;
        }
        SpeechEngine engine;
        RecognitionStream stream;
        try {
            engine = engines.get(started.engine());
            stream = engine.open(new StreamSpec(id, started.sampleRate(), started.language()));
        } catch (RuntimeException e) {
            log.warn("Session {}: cannot open engine '{}': {}", id, started.engine(), e.getMessage());
            out.add(fail(id, ENGINE_UNAVAILABLE, e.getMessage()));
            closed.put(id, new Closed(START, List.of(out.get(1)), false));
            return out;
        }
        SessionRecognizer session = new SessionRecognizer(started, engine.name(), stream, now);
        session.lastOutputs = out;
        active.put(id, session);
        log.debug("Session {} started on engine {}", id, engine.name());
        return out;
    }

    private List<PipelineEvent> onChunk(AudioChunk chunk) {
        SessionRecognizer session = active.get(chunk.sessionId());
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    return feed(session, chunk);
                }
            }
        }
        return noState(chunk.sessionId(), "chunk#" + chunk.seq());
    }

    /** Holding the session's monitor. */
    private List<PipelineEvent> feed(SessionRecognizer session, AudioChunk chunk) {
        long now = now();
        session.lastActivityMs = now;
        if (chunk.seq() <= session.lastSeq) {
            // A redelivery (the record was retried after its outputs failed to publish): the engine has this
            // audio already; publish again what it produced, once.
            metrics.skipped("duplicate_chunk");
            return chunk.seq() == session.lastSeq ? session.lastOutputs : List.of();
        }
        session.lastSeq = chunk.seq();
        session.lastReceivedAtMs = chunk.receivedAtMs();
        List<RecognitionResult> results;
        long start = System.nanoTime();
        try {
            results = session.stream.accept(chunk.audio());
        } catch (RuntimeException e) {
            return engineFailed(session, "chunk#" + chunk.seq(), e);
        }
        long nanos = System.nanoTime() - start;
        metrics.chunk(session.engine, chunk.audio().length, session.started.sampleRate(), nanos, chunk.receivedAtMs(), now);
        List<PipelineEvent> out = results.isEmpty() ? List.of() : toEvents(session, results, chunk.receivedAtMs(), now);
        session.lastOutputs = out;
        return out;
    }

    private List<PipelineEvent> onEnded(SessionEnded ended) {
        String id = ended.sessionId();
        SessionRecognizer session = active.get(id);
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    return finish(session);
                }
            }
        }
        return noState(id, END);
    }

    /** Holding the session's monitor. */
    private List<PipelineEvent> finish(SessionRecognizer session) {
        long now = now();
        List<RecognitionResult> results;
        try {
            results = session.stream.finish();
        } catch (RuntimeException e) {
            return engineFailed(session, END, e);
        }
        List<PipelineEvent> out = new ArrayList<>(toEvents(session, results, session.lastReceivedAtMs, now));
        out.add(new SessionCompleted(session.sessionId(), session.nextIndex, null, now));
        terminate(session, END, out);
        log.debug("Session {} completed with {} segments", session.sessionId(), session.nextIndex);
        return out;
    }

    private List<PipelineEvent> toEvents(SessionRecognizer session, List<RecognitionResult> results, long receivedAtMs, long now) {
        List<PipelineEvent> out = new ArrayList<>(results.size());
        for (RecognitionResult result : results) {
            if (result instanceof RecognitionResult.Final f) {
                if (f.text().isBlank()) {
                    continue; // silence is not a segment
                }
                out.add(new TranscriptFinal(session.sessionId(), session.nextIndex++, f.text(), f.startMs(), f.endMs(),
                        session.engine, receivedAtMs, now));
                session.lastPartial = "";
                metrics.finalEmitted(session.engine);
            } else if (result instanceof RecognitionResult.Partial p) {
                if (session.wantsPartials() && !p.text().isBlank() && !p.text().equals(session.lastPartial)) {
                    out.add(new TranscriptPartial(session.sessionId(), session.nextIndex, p.text(), now));
                    session.lastPartial = p.text();
                    metrics.partialEmitted(session.engine);
                }
            }
        }
        return out;
    }

    /** Holding the session's monitor. */
    private List<PipelineEvent> engineFailed(SessionRecognizer session, String trigger, RuntimeException e) {
        log.warn("Session {}: engine {} failed", session.sessionId(), session.engine, e);
        List<PipelineEvent> out = List.of(fail(session.sessionId(), ENGINE_UNAVAILABLE, session.engine + ": " + e.getMessage()));
        terminate(session, trigger, out);
        return out;
    }

    /**
     * An event for a session with no open recognizer here. Either it ended or failed already (a redelivery, or
     * audio still in flight), or this worker never saw its start (state lost when the partition moved).
     */
    private List<PipelineEvent> noState(String sessionId, String trigger) {
        Closed done = closed.get(sessionId);
        if (done != null) {
            if (done.trigger().equals(trigger)) {
                // The event that closed the session, redelivered: its outputs may not have reached Kafka.
                metrics.skipped("redelivered");
                return done.outputs();
            }
            if (done.orphan() && !trigger.equals(END)) {
                metrics.orphanedChunk(); // still no state: counted each time, reported once
                return List.of();
            }
            metrics.skipped("session_closed");
            log.debug("Session {}: {} after the session closed, dropped", sessionId, trigger);
            return List.of();
        }
        if (!trigger.equals(END)) {
            metrics.orphanedChunk();
        }
        log.warn("Session {}: {} but this worker has no state for the session", sessionId, trigger);
        // Told once: the session is remembered as closed, so its further chunks do not repeat the failure.
        List<PipelineEvent> out = List.of(fail(sessionId, SESSION_NOT_FOUND,
                "the worker has no state for this session (its start was not seen here)"));
        closed.put(sessionId, new Closed(trigger, out, true));
        return out;
    }

    private SessionFailed fail(String sessionId, String code, String message) {
        metrics.error(code);
        return new SessionFailed(sessionId, code, message, now());
    }

    /** Holding the session's monitor. */
    private void terminate(SessionRecognizer session, String trigger, List<PipelineEvent> outputs) {
        session.close();
        active.remove(session.sessionId(), session);
        closed.put(session.sessionId(), new Closed(trigger, outputs, false));
    }

    /**
     * Drops sessions that have seen nothing for the idle timeout: their end was lost, or their partition moved to
     * another worker. Nothing is published: the session may be alive elsewhere; if audio comes back here, the
     * session fails with SESSION_NOT_FOUND.
     */
    @Scheduled(fixedDelay = 30, timeUnit = TimeUnit.SECONDS)
    void evictIdle() {
        long cutoff = now() - idleTimeoutMs;
        for (SessionRecognizer session : active.values()) {
            synchronized (session) {
                if (!session.closed && session.lastActivityMs < cutoff) {
                    log.warn("Session {}: no event for {} ms, dropping its recognizer", session.sessionId(), idleTimeoutMs);
                    session.close();
                    active.remove(session.sessionId(), session);
                    metrics.evicted();
                }
            }
        }
    }

    /** Frees the engines' native resources when the context stops (the runner may start another in this JVM). */
    @Override
    public void destroy() {
        for (SessionRecognizer session : active.values()) {
            synchronized (session) {
                session.close();
            }
        }
        active.clear();
    }

    private long now() {
        return clock.millis();
    }

    /**
     * @param trigger the event that closed the session: {@code start}, {@code end} or {@code chunk#<seq>}
     * @param orphan  closed because this worker had no state for it (SESSION_NOT_FOUND)
     */
    private record Closed(String trigger, List<PipelineEvent> outputs, boolean orphan) {
    }
}
