package com.realtimevoice.worker.recognition;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
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
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.Word;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.audio.AudioFormat;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import com.realtimevoice.worker.engine.cloud.CloudCalls;
import com.realtimevoice.worker.segment.SegmentProperties;
import com.realtimevoice.worker.segment.VoiceActivityDetector;

/**
 * Turns the audio topic's events into the transcripts topic's events, keeping one recognizer per session
 * in memory. No Kafka here: {@link AudioListener} consumes and publishes.
 *
 * <p>Events of one session arrive in order, one at a time (its lane on the engine pool, {@link SessionLanes}), but
 * sessions run side by side on several threads, hence the concurrent map.
 */
@Component
class SessionRecognizers implements DisposableBean {

    static final String ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE";
    static final String SESSION_NOT_FOUND = "SESSION_NOT_FOUND";
    static final String UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT";
    /** A record of the session could not be decoded (dead-lettered): the session ends, retrying would fail again. */
    static final String UNPROCESSABLE = "UNPROCESSABLE";
    /** Sessions remembered after they end or fail, to recognise redeliveries and late audio. */
    private static final int CLOSED_SESSIONS_REMEMBERED = 10_000;
    private static final String START = "start";
    private static final String END = "end";

    private static final Logger log = LoggerFactory.getLogger(SessionRecognizers.class);

    private final EngineRegistry engines;
    private final RecognitionMetrics metrics;
    private final long idleTimeoutMs;
    private final Clock clock;
    private final SegmentProperties segments;
    private final AsyncOutputs asyncOutputs;
    /** Runs the local engine on segments the cloud could not recognise when no two-pass text is at hand. Bounded. */
    private final ThreadPoolExecutor fallbackExecutor;
    private final Map<String, SessionRecognizer> active = new ConcurrentHashMap<>();
    /** Sessions that ended or failed here, so that a redelivery of the event that closed them republishes its outputs. */
    private final Map<String, Closed> closed = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Closed> eldest) {
                    return size() > CLOSED_SESSIONS_REMEMBERED;
                }
            });

    /** For sessions on segment engines when no configuration is given (tests of streaming engines). */
    static final SegmentProperties DEFAULT_SEGMENTS = new SegmentProperties(java.time.Duration.ofMillis(600),
            java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(300), -50, 12, SegmentProperties.NONE,
            SegmentProperties.Fallback.FAIL, "vosk");

    @Autowired
    SessionRecognizers(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties, SegmentProperties segments,
                       TranscriptPublisher publisher) {
        this(engines, metrics, properties, segments, publisher, Clock.systemUTC());
    }

    SessionRecognizers(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties, Clock clock) {
        this(engines, metrics, properties, DEFAULT_SEGMENTS, events -> { }, clock);
    }

    SessionRecognizers(EngineRegistry engines, RecognitionMetrics metrics, WorkerProperties properties, SegmentProperties segments,
                       AsyncOutputs asyncOutputs, Clock clock) {
        this.engines = engines;
        this.metrics = metrics;
        this.idleTimeoutMs = properties.sessionIdleTimeout().toMillis();
        this.clock = clock;
        this.segments = segments;
        this.asyncOutputs = asyncOutputs;
        this.fallbackExecutor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "local-fallback");
            t.setDaemon(true);
            return t;
        });
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
        if (event instanceof SessionResumed resumed) {
            return onResumed(resumed);
        }
        if (event instanceof SessionFlushed flushed) {
            return onFlushed(flushed);
        }
        throw new MalformedEventException("unexpected " + EventType.of(event).token() + " on " + Topics.AUDIO);
    }

    /** @throws MalformedEventException for an event that does not belong on the audio topic */
    static void checkBelongsOnAudio(PipelineEvent event) {
        if (!(event instanceof AudioChunk || event instanceof SessionStarted || event instanceof SessionEnded
                || event instanceof SessionResumed || event instanceof SessionFlushed)) {
            throw new MalformedEventException("unexpected " + EventType.of(event).token() + " on " + Topics.AUDIO);
        }
    }

    /**
     * Handling an event threw (a bug: engine failures are outputs): the session fails with INTERNAL and its
     * recognizer is closed, so its later events are dropped as after any failure.
     */
    List<PipelineEvent> internalFailure(String sessionId, RuntimeException e) {
        List<PipelineEvent> out = List.of(fail(sessionId, "INTERNAL", "recognition failed: " + e.getMessage()));
        SessionRecognizer session = active.get(sessionId);
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    terminate(session, "internal", out);
                }
            }
        } else {
            closed.put(sessionId, new Closed("internal", out, false));
        }
        return out;
    }

    /**
     * A record keyed by this session was poison (dead-lettered): an open session fails with UNPROCESSABLE, after
     * what came before it on its lane; one not open here (closed, unknown, or a key that is no session) gets nothing.
     */
    List<PipelineEvent> poisoned(String sessionId, String reason) {
        SessionRecognizer session = active.get(sessionId);
        if (session == null) {
            return List.of();
        }
        synchronized (session) {
            if (session.closed) {
                return List.of();
            }
            List<PipelineEvent> out = List.of(fail(sessionId, UNPROCESSABLE,
                    "a record of this session could not be processed (" + reason + "); the session has ended"));
            terminate(session, "poison", out);
            return out;
        }
    }

    /** Whether the session has a recognizer here (started and not yet ended, failed, evicted or dropped). */
    boolean isOpen(String sessionId) {
        return active.containsKey(sessionId);
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
        AudioFormat format;
        try {
            format = AudioFormat.parse(started.format(), started.sampleRate());
        } catch (IllegalArgumentException e) {
            out.add(fail(id, UNSUPPORTED_FORMAT, e.getMessage()));
            closed.put(id, new Closed(START, List.of(out.get(1)), false));
            return out;
        }
        AudioConverter audio = new AudioConverter(format);
        SessionRecognizer session;
        try {
            CloudCalls cloud = engines.segmentEngine(started.engine());
            if (cloud != null) {
                session = openSegmented(started, cloud, audio, now);
            } else {
                SpeechEngine engine = engines.get(started.engine());
                // Every engine is fed the pipeline's format: 16 kHz mono, whatever the client sent.
                RecognitionStream stream = engine.open(new StreamSpec(id, AudioConverter.PIPELINE_RATE, started.language(),
                        started.recognition().hotwords()));
                if (started.endpointingMs() != null || started.wantsSpeechEvents()) {
                    // The engine has no endpointer settings or speech events of its own: the worker's detector runs beside it.
                    stream = new VoiceTrackedStream(stream, detector(started), started.endpointingMs() != null,
                            started.wantsSpeechEvents());
                }
                session = new SessionRecognizer(started, engine.name(), stream, audio, null, now);
            }
        } catch (RuntimeException e) {
            log.warn("Session {}: cannot open engine '{}': {}", id, started.engine(), e.getMessage());
            out.add(fail(id, ENGINE_UNAVAILABLE, e.getMessage()));
            closed.put(id, new Closed(START, List.of(out.get(1)), false));
            return out;
        }
        session.lastOutputs = out;
        active.put(id, session);
        log.debug("Session {} started on engine {} ({})", id, session.engine, format);
        return out;
    }

    /** A session on a segment engine: detector, optional two-pass partial stream, fallback per configuration. */
    private SessionRecognizer openSegmented(SessionStarted started, CloudCalls cloud, AudioConverter audio, long now) {
        String id = started.sessionId();
        boolean fallbackLocal = segments.fallback() == SegmentProperties.Fallback.LOCAL;
        try {
            cloud.checkSession(started.language());
        } catch (EngineUnavailableException e) {
            if (!fallbackLocal) {
                throw e;
            }
            log.warn("Session {}: {}; its segments will be recognised by {}", id, e.getMessage(), segments.fallbackEngine());
        }
        SpeechEngine fallback = fallbackLocal ? engines.get(segments.fallbackEngine()) : null;
        boolean wantsPartials = started.interimResults() && !started.oneShot() && segments.hasPartials();
        RecognitionStream partials = null;
        String partialsName = null;
        // The partial engine's text is also the fallback's, ready when a segment ends: open it for that too.
        if (wantsPartials || (fallback != null && segments.hasPartials() && segments.partials().equals(fallback.name()))) {
            SpeechEngine engine = engines.get(segments.partials());
            // its finals only serve the local fallback: the hotword pass is worth running for that alone
            partials = engine.open(new StreamSpec(id, AudioConverter.PIPELINE_RATE, started.language(),
                    fallback != null ? started.recognition().hotwords() : List.of()));
            partialsName = engine.name();
        }
        SegmentedRecognition segmented = new SegmentedRecognition(id, started.language(), cloud, detector(started), partials,
                partialsName, wantsPartials, started.wordTimestamps(), started.wantsSpeechEvents(), started.recognition(), fallback,
                fallbackExecutor, audio, asyncOutputs, metrics, clock);
        return new SessionRecognizer(started, cloud.engine().name(), null, audio, segmented, now);
    }

    /** The worker's detector, ending segments after the session's {@code endpointingMs} if it gave one. */
    private VoiceActivityDetector detector(SessionStarted started) {
        return started.endpointingMs() == null ? segments.newDetector() : segments.newDetector(started.endpointingMs());
    }

    /**
     * The client's flush, in order with its audio: what was said so far becomes a final now, and the session goes
     * on. A redelivered flush (its outputs may not have reached Kafka) publishes them again.
     */
    private List<PipelineEvent> onFlushed(SessionFlushed flushed) {
        SessionRecognizer session = active.get(flushed.sessionId());
        if (session == null) {
            return List.of(); // ended, failed or unknown here: the end or the failure says what there is to say
        }
        synchronized (session) {
            if (session.closed) {
                return List.of();
            }
            if (flushed.equals(session.lastFlush)) {
                metrics.skipped("redelivered");
                return session.lastFlushOutputs;
            }
            long now = now();
            session.lastActivityMs = now;
            List<PipelineEvent> out;
            try {
                // The audio converter may hold a few samples (a resampler's or MP3 decoder's tail): they stay for the
                // next chunk; the segment ends at what the engine has.
                out = session.segmented != null ? session.segmented.flush(session.lastReceivedAtMs)
                        : toEvents(session, session.stream.flush(), session.lastReceivedAtMs, now);
            } catch (RuntimeException e) {
                return engineFailed(session, "flush", e);
            }
            session.lastFlush = flushed;
            session.lastFlushOutputs = out;
            return out;
        }
    }

    /**
     * The client reattached, possibly on another node: results now go there (result-service learns it from the
     * forwarded event, in order), and an end from the node it left is no longer the session's. A client that
     * tracks acks says where its audio resumes ({@code nextSeq}); one that does not continues after whatever is here,
     * so the new node's chunk numbers are shifted past the last chunk seen.
     */
    private List<PipelineEvent> onResumed(SessionResumed resumed) {
        SessionRecognizer session = active.get(resumed.sessionId());
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    session.node = resumed.nodeId();
                    session.seqShift = resumed.nextSeq() == null ? session.lastSeq + 1 : 0;
                    session.lastActivityMs = now();
                }
            }
        }
        // Forwarded in any case: for a session finished or unknown here, result-service answers from what it stored.
        return List.of(resumed);
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
        if (session.seqShift != 0) {
            chunk = new AudioChunk(chunk.sessionId(), chunk.seq() + session.seqShift, chunk.byteOffset(), chunk.format(),
                    chunk.sampleRate(), chunk.receivedAtMs(), chunk.audio());
        }
        if (chunk.seq() <= session.lastSeq) {
            // A redelivery (the record was retried after its outputs failed to publish): the engine has this
            // audio already; publish again what it produced, once.
            metrics.skipped("duplicate_chunk");
            return chunk.seq() == session.lastSeq ? session.lastOutputs : List.of();
        }
        session.lastSeq = chunk.seq();
        session.lastReceivedAtMs = chunk.receivedAtMs();
        if (session.segmented != null && session.segmented.failed()) {
            // The cloud failed a segment with no fallback: session.failed is out already; nothing more to say.
            terminate(session, "chunk#" + chunk.seq(), List.of());
            return List.of();
        }
        byte[] pcm;
        try {
            pcm = session.audio.convert(chunk.audio());
        } catch (IllegalArgumentException e) {
            log.warn("Session {}: chunk#{} cannot be decoded: {}", session.sessionId(), chunk.seq(), e.getMessage());
            List<PipelineEvent> out = List.of(fail(session.sessionId(), UNSUPPORTED_FORMAT, e.getMessage()));
            terminate(session, "chunk#" + chunk.seq(), out);
            return out;
        }
        List<PipelineEvent> out;
        long start = System.nanoTime();
        try {
            out = recognise(session, pcm, chunk.receivedAtMs(), now);
        } catch (RuntimeException e) {
            return engineFailed(session, "chunk#" + chunk.seq(), e);
        }
        long nanos = System.nanoTime() - start;
        metrics.chunk(session.engine, pcm.length, AudioConverter.PIPELINE_RATE, nanos, chunk.receivedAtMs(), now);
        session.lastOutputs = out;
        return out;
    }

    private List<PipelineEvent> onEnded(SessionEnded ended) {
        String id = ended.sessionId();
        SessionRecognizer session = active.get(id);
        if (session != null) {
            synchronized (session) {
                if (!session.closed) {
                    if ("abandoned".equals(ended.reason()) && ended.nodeId() != null && !ended.nodeId().equals(session.node)) {
                        // The node the client left gave up on it, but the client has resumed elsewhere since.
                        metrics.skipped("stale_end");
                        return List.of();
                    }
                    return finish(session);
                }
            }
        }
        return noState(id, END);
    }

    /** 16 kHz mono PCM to the session's engine; holding the session's monitor. */
    private List<PipelineEvent> recognise(SessionRecognizer session, byte[] pcm, long receivedAtMs, long now) {
        if (pcm.length == 0) {
            return List.of(); // a resampler or MP3 frame waiting for more input
        }
        if (session.segmented != null) {
            return session.segmented.accept(pcm, receivedAtMs);
        }
        List<RecognitionResult> results = session.stream.accept(pcm);
        return results.isEmpty() ? List.of() : toEvents(session, results, receivedAtMs, now);
    }

    /** Holding the session's monitor. */
    private List<PipelineEvent> finish(SessionRecognizer session) {
        long now = now();
        List<PipelineEvent> out;
        try {
            byte[] tail = session.audio.finish();
            out = new ArrayList<>(recognise(session, tail, session.lastReceivedAtMs, now));
            if (session.segmented != null) {
                // Finals still with the cloud come later; session.completed follows the last of them.
                out.addAll(session.segmented.finish(session.lastReceivedAtMs));
                terminate(session, END, out);
                log.debug("Session {} ended; {} outputs pending", session.sessionId(), session.segmented.pendingOutputs());
                return out;
            }
            out.addAll(toEvents(session, session.stream.finish(), session.lastReceivedAtMs, now));
        } catch (IllegalArgumentException e) {
            List<PipelineEvent> failed = List.of(fail(session.sessionId(), UNSUPPORTED_FORMAT, e.getMessage()));
            terminate(session, END, failed);
            return failed;
        } catch (RuntimeException e) {
            return engineFailed(session, END, e);
        }
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
                List<Word> words = session.controls.words(f.words());
                String text = words.isEmpty() ? session.controls.text(f.text()) : String.join(" ", words.stream().map(Word::word).toList());
                if (text.isBlank()) {
                    continue; // all of it removed (profanity)
                }
                out.add(new TranscriptFinal(session.sessionId(), session.nextIndex++, text, f.startMs(), f.endMs(),
                        session.engine, receivedAtMs, now,
                        session.started.wordTimestamps() ? Word.fit(words, f.startMs(), f.endMs()) : null));
                session.lastPartial = "";
                metrics.finalEmitted(session.engine);
            } else if (result instanceof RecognitionResult.SpeechOnset onset) {
                if (session.started.wantsSpeechEvents()) {
                    out.add(new SpeechStarted(session.sessionId(), onset.atMs(), now));
                }
            } else if (result instanceof RecognitionResult.Partial p) {
                String text = session.controls.text(p.text());
                if (session.wantsPartials() && !text.isBlank() && !text.equals(session.lastPartial)) {
                    out.add(new TranscriptPartial(session.sessionId(), session.nextIndex, text, now));
                    session.lastPartial = text;
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
     * Ends sessions that have seen nothing for the idle timeout (longer than the ingest nodes' resume window): the
     * node that held the socket died before it could end them. What was said is finalised and published, like an
     * end, so the session completes and stops holding its partition's commits back.
     */
    @Scheduled(fixedDelay = 30, timeUnit = TimeUnit.SECONDS)
    void evictIdle() {
        long cutoff = now() - idleTimeoutMs;
        for (SessionRecognizer session : active.values()) {
            List<PipelineEvent> out = List.of();
            synchronized (session) {
                if (!session.closed && session.lastActivityMs < cutoff) {
                    log.warn("Session {}: no event for {} ms, ending it", session.sessionId(), idleTimeoutMs);
                    out = finish(session);
                    metrics.evicted();
                }
            }
            if (!out.isEmpty()) {
                asyncOutputs.publish(out);
            }
        }
    }

    /** Forgets sessions whose partition moved to another worker: that worker replays them from their start. */
    void drop(java.util.Collection<String> sessionIds) {
        for (String id : sessionIds) {
            SessionRecognizer session = active.remove(id);
            if (session != null) {
                synchronized (session) {
                    session.close();
                }
            }
            closed.remove(id);
        }
    }

    /** Frees the engines' native resources when the context stops (the runner may start another in this JVM). */
    @Override
    public void destroy() {
        fallbackExecutor.shutdownNow();
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
