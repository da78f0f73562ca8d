package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.segment.SegmentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * A new worker warms up before it joins the consumer group ({@code ASR_WORKER_WARMUP}). A fresh JVM runs the per-chunk
 * path in the interpreter and compiles it over its first minute: the record decoding, the engine's native calls and
 * their results, the output records. The sessions the group handed a new worker (scale-out, a restart, a rolling
 * update) paid for that (docs/performance.md, "Cold start").
 *
 * <p>Bundled speech runs through a private {@link WorkerSessions} on the engine most sessions use, faster than real
 * time. Its events are encoded and decoded as on the wire, and its outputs are encoded and dropped: nothing of it
 * reaches Kafka, the other services or this worker's metrics. The audio listener starts only after it. Meanwhile the
 * health component {@code warmUp} (also in the readiness group) says OUT_OF_SERVICE, so a rolling update waits for it.
 * A failed warm-up is logged, and the worker consumes anyway.
 */
@Component("warmUp")
class WorkerWarmUp implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(WorkerWarmUp.class);
    /** "What time is it" and "the weather is nice today": 16 kHz 16-bit mono, raw (6 s). */
    static final String AUDIO = "/warm-up/speech.s16le";

    private static final int CHUNK_BYTES = 3200; // 100 ms, as clients send it
    /** Sessions side by side: the engine's native code is shared, two loops compile the Java around it faster. */
    private static final int LOOPS = 2;

    private static final Duration LONGEST = Duration.ofMinutes(10);

    /** What the warm-up did, for the log and the tests. */
    record Outcome(String engine, int sessions, int finals, int failed, long millis) {}

    private final EngineRegistry engines;
    private final WorkerProperties properties;
    private final SegmentProperties segments;
    private final KafkaListenerEndpointRegistry listeners;
    private final Duration length;

    private volatile boolean warmingUp;
    private volatile boolean closing;
    private volatile Outcome outcome;
    private volatile Thread thread;
    /** System.nanoTime() when the warm-up ended and the listener was started (tests check the order). */
    private volatile long finishedAtNanos;

    WorkerWarmUp(
            EngineRegistry engines,
            WorkerProperties properties,
            SegmentProperties segments,
            KafkaListenerEndpointRegistry listeners,
            @Value("${asr.worker.warm-up}") Duration length) {
        if (length.isNegative() || length.compareTo(LONGEST) > 0) {
            throw new IllegalStateException(
                    "asr.worker.warm-up (ASR_WORKER_WARMUP) must be from 0s (none) to 10m, got " + length);
        }
        this.engines = engines;
        this.properties = properties;
        this.segments = segments;
        this.listeners = listeners;
        this.length = length;
        this.warmingUp = !length.isZero();
    }

    /** After the start: the warm-up in the background, then the audio listener (which does not start by itself). */
    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        if (length.isZero()) {
            startConsuming();
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        Outcome o = run(length);
                        outcome = o;
                        log.info(
                                "warm-up: {} sessions on engine {}, {} finals, {} failed in {} ms; now consuming",
                                o.sessions(),
                                o.engine(),
                                o.finals(),
                                o.failed(),
                                o.millis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException | Error e) {
                        log.warn("warm-up failed; consuming without it", e);
                    } finally {
                        warmingUp = false;
                        finishedAtNanos = System.nanoTime();
                        startConsuming();
                    }
                },
                "asr-worker-warm-up");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @EventListener(ContextClosedEvent.class)
    void onClose() {
        closing = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public Health health() {
        return warmingUp
                ? Health.outOfService()
                        .withDetail("warmUp", "running for " + length + ": docs/performance.md, Cold start")
                        .build()
                : Health.up().build();
    }

    Outcome outcome() {
        return outcome;
    }

    long finishedAtNanos() {
        return finishedAtNanos;
    }

    private void startConsuming() {
        MessageListenerContainer container = listeners.getListenerContainer(AudioListener.LISTENER_ID);
        if (container != null && !closing && !container.isRunning()) {
            container.start();
        }
    }

    /** Sessions of bundled speech on {@link #LOOPS} threads until {@code length} is over. */
    Outcome run(Duration length) throws InterruptedException {
        long t0 = System.nanoTime();
        String engine = engineToWarm();
        if (engine == null) {
            log.info("warm-up skipped: no local streaming engine (a cloud engine is never called by a warm-up)");
            return new Outcome(null, 0, 0, 0, 0);
        }
        byte[] speech = audio();
        WorkerSessions sessions = new WorkerSessions(
                engines,
                new RecognitionMetrics(new SimpleMeterRegistry()), // not this worker's: no warm-up in its figures
                properties,
                segments,
                WorkerWarmUp::onTheWire,
                Clock.systemUTC());
        long deadline = t0 + length.toNanos();
        AtomicInteger count = new AtomicInteger();
        AtomicInteger finals = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> loops = new ArrayList<>();
        try {
            for (int i = 0; i < LOOPS; i++) {
                Thread loop = new Thread(
                        () -> {
                            while (System.nanoTime() < deadline && !closing) {
                                try {
                                    finals.addAndGet(oneSession(sessions, engine, speech));
                                    count.incrementAndGet();
                                } catch (RuntimeException e) {
                                    failed.incrementAndGet();
                                    log.warn("warm-up session failed: {}", e.toString());
                                }
                            }
                        },
                        "asr-worker-warm-up-" + i);
                loop.setDaemon(true);
                loops.add(loop);
                loop.start();
            }
            for (Thread loop : loops) {
                loop.join();
            }
        } finally {
            sessions.destroy();
        }
        return new Outcome(engine, count.get(), finals.get(), failed.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** One session as an ingest node publishes it: start, 100 ms chunks, end. Returns its finals. */
    private static int oneSession(WorkerSessions sessions, String engine, byte[] speech) {
        String id = "warm-up-" + UUID.randomUUID();
        long now = System.currentTimeMillis();
        long offset = 0;
        int finals = onTheWire(sessions.handle(
                fromTheWire(new SessionStarted(
                        id, "warm-up", "warm-up", "warm-up", "pcm", 16000, null, engine, true, false, now)),
                offset++,
                null));
        long seq = 0;
        for (int off = 0; off < speech.length; off += CHUNK_BYTES) {
            byte[] audio = Arrays.copyOfRange(speech, off, Math.min(speech.length, off + CHUNK_BYTES));
            finals += onTheWire(sessions.handle(
                    fromTheWire(new AudioChunk(id, seq++, off, "pcm", 16000, System.currentTimeMillis(), audio)),
                    offset++,
                    null));
        }
        finals += onTheWire(sessions.handle(
                fromTheWire(new SessionEnded(id, seq - 1, speech.length, "end", System.currentTimeMillis())),
                offset,
                null));
        return finals;
    }

    /** An event as the listener gets it: encoded as the ingest node sends it, then decoded. */
    private static PipelineEvent fromTheWire(PipelineEvent event) {
        ProducerRecord<String, byte[]> r = EventRecords.toRecord(Topics.AUDIO, event);
        return EventRecords.decode(r.key(), r.headers(), r.value());
    }

    /** Outputs encoded as they are published, then dropped. Returns how many were finals. */
    private static int onTheWire(List<PipelineEvent> outputs) {
        int finals = 0;
        for (PipelineEvent e : outputs) {
            EventRecords.toRecord(Topics.TRANSCRIPTS, e);
            if (e instanceof TranscriptFinal) {
                finals++;
            }
        }
        return finals;
    }

    /** The default engine if it streams here; for a cloud default, Vosk (its partials and fallback); else none. */
    private String engineToWarm() {
        String name = engines.defaultEngine();
        if (engines.segmentEngine(name) == null) {
            return name;
        }
        try {
            engines.get("vosk");
            return "vosk";
        } catch (EngineUnavailableException e) {
            return null;
        }
    }

    static byte[] audio() {
        try (InputStream in = WorkerWarmUp.class.getResourceAsStream(AUDIO)) {
            if (in == null) {
                throw new IllegalStateException(AUDIO + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
