package com.realtimevoice.worker.recognition;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** The worker's meters, all named {@code asr.worker.*}. Engine-dependent ones are tagged with the engine. */
@Component
class RecognitionMetrics {

    private final MeterRegistry registry;
    private final Counter orphanedChunks;
    private final Timer chunkLag;
    private final Map<String, EngineMeters> byEngine = new ConcurrentHashMap<>();

    RecognitionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.orphanedChunks = Counter.builder("asr.worker.chunks.orphaned")
                .description("Audio chunks for sessions this worker has no state for (SESSION_NOT_FOUND)")
                .register(registry);
        this.chunkLag = Timer.builder("asr.worker.chunk.lag")
                .description("From the chunk's receipt at the ingest node to its recognition here")
                .publishPercentileHistogram()
                .register(registry);
    }

    void activeSessions(Map<String, ?> sessions) {
        Gauge.builder("asr.worker.sessions.active", sessions, Map::size)
                .description("Sessions with an open recognizer on this worker")
                .register(registry);
    }

    <T> void queuedEvents(T lanes, java.util.function.ToDoubleFunction<T> queued) {
        Gauge.builder("asr.worker.engine.queued", lanes, queued)
                .description(
                        "Audio-topic events dispatched to the engine pool and not yet recognised; at its limit the listener waits")
                .register(registry);
    }

    /** Records one chunk fed to an engine. */
    void chunk(String engine, long audioBytes, int sampleRate, long processingNanos, long receivedAtMs, long nowMs) {
        EngineMeters m = byEngine.computeIfAbsent(engine, this::engineMeters);
        m.chunks.increment();
        m.processing.record(processingNanos, TimeUnit.NANOSECONDS);
        double audioSeconds = audioBytes / 2.0 / sampleRate;
        if (audioSeconds > 0) {
            m.audioSeconds.increment(audioSeconds);
            m.realTimeFactor.record(processingNanos / 1e9 / audioSeconds);
        }
        if (receivedAtMs > 0 && nowMs >= receivedAtMs) {
            chunkLag.record(nowMs - receivedAtMs, TimeUnit.MILLISECONDS);
        }
    }

    void finalEmitted(String engine) {
        byEngine.computeIfAbsent(engine, this::engineMeters).finals.increment();
    }

    void partialEmitted(String engine) {
        byEngine.computeIfAbsent(engine, this::engineMeters).partials.increment();
    }

    void orphanedChunk() {
        orphanedChunks.increment();
    }

    /** A consumed event that produced nothing on purpose (a redelivery, audio after the session failed, ...). */
    void skipped(String reason) {
        registry.counter("asr.worker.events.skipped", "reason", reason).increment();
    }

    /** A session failed; {@code code} is the contract's error code. */
    void error(String code) {
        registry.counter("asr.worker.errors", "code", code).increment();
    }

    void evicted() {
        registry.counter("asr.worker.sessions.evicted").increment();
    }

    /** A segment sent to a segment engine: its audio length, the call's time (retries included) and outcome. */
    void segment(String engine, long audioMs, long nanos, String outcome) {
        Timer.builder("asr.worker.segment.call")
                .description("Segment engine calls, from submission to answer (retries included)")
                .tag("engine", engine)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        registry.counter("asr.worker.segment.audio", "engine", engine).increment(audioMs / 1000.0);
    }

    /** A segment the cloud engine could not recognise went to the local fallback engine. */
    void fallback(String engine, String reason) {
        registry.counter("asr.worker.segment.fallbacks", "engine", engine, "reason", reason)
                .increment();
    }

    private EngineMeters engineMeters(String engine) {
        return new EngineMeters(
                Counter.builder("asr.worker.chunks")
                        .description("Audio chunks fed to an engine")
                        .tag("engine", engine)
                        .register(registry),
                Counter.builder("asr.worker.audio")
                        .baseUnit("seconds")
                        .description("Seconds of audio fed to an engine")
                        .tag("engine", engine)
                        .register(registry),
                Counter.builder("asr.worker.finals").tag("engine", engine).register(registry),
                Counter.builder("asr.worker.partials").tag("engine", engine).register(registry),
                Timer.builder("asr.worker.engine.processing")
                        .description("Engine time per chunk")
                        .tag("engine", engine)
                        .publishPercentileHistogram()
                        .register(registry),
                DistributionSummary.builder("asr.worker.engine.real.time.factor")
                        .description(
                                "Engine processing time / audio duration, per chunk; above 1 the worker falls behind")
                        .tag("engine", engine)
                        .serviceLevelObjectives(0.05, 0.1, 0.25, 0.5, 1, 2)
                        .register(registry));
    }

    private record EngineMeters(
            Counter chunks,
            Counter audioSeconds,
            Counter finals,
            Counter partials,
            Timer processing,
            DistributionSummary realTimeFactor) {}
}
