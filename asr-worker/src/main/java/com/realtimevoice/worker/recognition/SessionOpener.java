package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.audio.AudioFormat;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import com.realtimevoice.worker.engine.cloud.CloudCalls;
import com.realtimevoice.worker.segment.SegmentProperties;
import com.realtimevoice.worker.segment.VoiceActivityDetector;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link WorkerSession} for a {@code session.started}: picks the engine it names and opens its recognizer, a
 * streaming engine's stream (with the worker's voice detector beside it when the session asks for endpointing or
 * speech events) or a segment engine's {@link SegmentedRecognition} (detector, optional two-pass partials, fallback).
 */
final class SessionOpener {

    private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

    private final EngineRegistry engines;
    private final SegmentProperties segments;
    private final AsyncOutputs asyncOutputs;
    private final RecognitionMetrics metrics;
    private final Clock clock;
    /** Runs the local engine on segments the cloud could not recognise when no two-pass text is at hand. Bounded. */
    private final ThreadPoolExecutor fallbackExecutor;

    SessionOpener(
            EngineRegistry engines,
            SegmentProperties segments,
            AsyncOutputs asyncOutputs,
            RecognitionMetrics metrics,
            Clock clock) {
        this.engines = engines;
        this.segments = segments;
        this.asyncOutputs = asyncOutputs;
        this.metrics = metrics;
        this.clock = clock;
        this.fallbackExecutor =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
                    Thread t = new Thread(r, "local-fallback");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * @throws RuntimeException when the engine cannot be opened (unknown, unavailable, failing)
     */
    WorkerSession open(SessionStarted started, AudioFormat format) {
        AudioConverter audio = new AudioConverter(format);
        CloudCalls cloud = engines.segmentEngine(started.engine());
        if (cloud != null) {
            return openSegmented(started, cloud, audio);
        }
        SpeechEngine engine = engines.get(started.engine());
        // Every engine is fed the pipeline's format: 16 kHz mono, whatever the client sent.
        RecognitionStream stream = engine.open(new StreamSpec(
                started.sessionId(),
                AudioConverter.PIPELINE_RATE,
                started.language(),
                started.recognition().hotwords()));
        if (started.endpointingMs() != null || started.wantsSpeechEvents()) {
            // The engine has no endpointer settings or speech events of its own: the worker's detector runs beside it.
            stream = new VoiceTrackedStream(
                    stream, detector(started), started.endpointingMs() != null, started.wantsSpeechEvents());
        }
        return new WorkerSession(started, engine.name(), stream, audio, null, metrics, clock);
    }

    /** A session on a segment engine: detector, optional two-pass partial stream, fallback per configuration. */
    private WorkerSession openSegmented(SessionStarted started, CloudCalls cloud, AudioConverter audio) {
        String id = started.sessionId();
        boolean fallbackLocal = segments.fallback() == SegmentProperties.Fallback.LOCAL;
        try {
            cloud.checkSession(started.language());
        } catch (EngineUnavailableException e) {
            if (!fallbackLocal) {
                throw e;
            }
            log.warn(
                    "Session {}: {}; its segments will be recognised by {}",
                    id,
                    e.getMessage(),
                    segments.fallbackEngine());
        }
        SpeechEngine fallback = fallbackLocal ? engines.get(segments.fallbackEngine()) : null;
        boolean wantsPartials = started.interimResults() && !started.oneShot() && segments.hasPartials();
        RecognitionStream partials = null;
        String partialsName = null;
        // The partial engine's text is also the fallback's, ready when a segment ends: open it for that too.
        if (wantsPartials
                || (fallback != null
                        && segments.hasPartials()
                        && segments.partials().equals(fallback.name()))) {
            SpeechEngine engine = engines.get(segments.partials());
            // its finals only serve the local fallback: the hotword pass is worth running for that alone
            partials = engine.open(new StreamSpec(
                    id,
                    AudioConverter.PIPELINE_RATE,
                    started.language(),
                    fallback != null ? started.recognition().hotwords() : List.of()));
            partialsName = engine.name();
        }
        SegmentedRecognition segmented = new SegmentedRecognition(
                id,
                started.language(),
                cloud,
                detector(started),
                partials,
                partialsName,
                wantsPartials,
                started.wordTimestamps(),
                started.wantsSpeechEvents(),
                started.recognition(),
                fallback,
                fallbackExecutor,
                audio,
                asyncOutputs,
                metrics,
                clock);
        return new WorkerSession(started, cloud.engine().name(), null, audio, segmented, metrics, clock);
    }

    /** The worker's detector, ending segments after the session's {@code endpointingMs} if it gave one. */
    private VoiceActivityDetector detector(SessionStarted started) {
        return started.endpointingMs() == null ? segments.newDetector() : segments.newDetector(started.endpointingMs());
    }

    /** Stops the local fallback's thread (the context is stopping). */
    void close() {
        fallbackExecutor.shutdownNow();
    }
}
