package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.RecognitionOptions;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.Word;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.audio.Mp3Decoder;
import com.realtimevoice.worker.audio.Resampler;
import com.realtimevoice.worker.engine.CloudEngineException;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SegmentRequest;
import com.realtimevoice.worker.engine.SegmentResult;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import com.realtimevoice.worker.engine.cloud.CloudCalls;
import com.realtimevoice.worker.segment.VoiceActivityDetector;
import com.realtimevoice.worker.segment.VoiceActivityDetector.Segment;
import com.realtimevoice.worker.text.OutputControls;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session on a segment engine, optionally two-pass. The worker's voice activity detector cuts the audio into
 * segments; while a segment is open its audio also goes to a fast local streaming engine (Vosk) whose text is sent
 * as partials; when it closes, the segment goes to the cloud engine on that engine's executor and its final is
 * published from the call's completion, through the session's {@link OrderedOutputs}, so finals leave in segment
 * order and {@code session.completed} after all of them. The consumer thread never waits for the cloud.
 *
 * <p>A final's index is the segment's number from the detector: a function of the audio alone, so a replay of the
 * session gives every final the index it had. A segment the engine finds empty has no final (its number is skipped).
 *
 * <p>Used by one thread at a time (the session's monitor), except the completions, which touch only
 * {@link OrderedOutputs} and immutable data.
 */
final class SegmentedRecognition {

    private static final Logger log = LoggerFactory.getLogger(SegmentedRecognition.class);

    private final String sessionId;
    private final String language;
    private final CloudCalls cloud;
    private final VoiceActivityDetector vad;
    private final RecognitionStream partials;
    private final String partialsName;
    private final boolean sendPartials;
    private final boolean speechEvents;
    private final boolean wordTimestamps;
    private final RecognitionOptions options;
    /** Profanity and numbers on the local engine's text (partials, fallback finals); the cloud engine does its own. */
    private final OutputControls localControls;

    private final OutputControls cloudControls;
    private final SpeechEngine fallback;
    private final Executor fallbackExecutor;
    private final AudioConverter audio;
    private final OrderedOutputs outputs;
    private final RecognitionMetrics metrics;
    private final Clock clock;

    /** Finals of the partial engine inside the open segment (it may end its own utterances before the detector does). */
    private final List<String> segmentTexts = new ArrayList<>();

    private String currentPartial = "";
    private String lastSent = "";

    /**
     * @param partials  stream of the local engine fed each segment's audio, or null (no partials, no ready fallback text)
     * @param fallback  local engine that recognises a segment the cloud could not, or null to fail the session instead
     */
    SegmentedRecognition(
            String sessionId,
            String language,
            CloudCalls cloud,
            VoiceActivityDetector vad,
            RecognitionStream partials,
            String partialsName,
            boolean sendPartials,
            boolean wordTimestamps,
            boolean speechEvents,
            RecognitionOptions options,
            SpeechEngine fallback,
            Executor fallbackExecutor,
            AudioConverter audio,
            AsyncOutputs sink,
            RecognitionMetrics metrics,
            Clock clock) {
        this.sessionId = sessionId;
        this.language = language;
        this.cloud = cloud;
        this.vad = vad;
        this.partials = partials;
        this.partialsName = partialsName;
        this.sendPartials = sendPartials;
        this.speechEvents = speechEvents;
        this.wordTimestamps = wordTimestamps;
        this.options = options;
        this.localControls = OutputControls.of(options, true);
        this.cloudControls = OutputControls.of(options, false);
        this.fallback = fallback;
        this.fallbackExecutor = fallbackExecutor;
        this.audio = audio;
        this.outputs = new OrderedOutputs(sessionId, sink);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Feeds 16 kHz mono PCM; returns the partials to publish now (finals come later, through the sink). */
    List<PipelineEvent> accept(byte[] pcm16k, long receivedAtMs) {
        return handle(vad.accept(AudioConverter.toShorts(pcm16k)), receivedAtMs);
    }

    /** End of audio: closes the last segment; {@code session.completed} follows the last final. */
    List<PipelineEvent> finish(long receivedAtMs) {
        List<PipelineEvent> out = handle(vad.finish(), receivedAtMs);
        outputs.complete(finals -> new SessionCompleted(sessionId, finals, null, clock.millis()));
        return out;
    }

    /** The client's flush: the open segment ends here and goes to the engine; the session goes on. */
    List<PipelineEvent> flush(long receivedAtMs) {
        return handle(vad.cut(), receivedAtMs);
    }

    /** A {@code session.failed} went out (fallback = fail): the session is over. */
    boolean failed() {
        return outputs.stopped();
    }

    int pendingOutputs() {
        return outputs.pending();
    }

    void close() {
        if (partials != null) {
            partials.close();
        }
    }

    private List<PipelineEvent> handle(List<VoiceActivityDetector.Event> events, long receivedAtMs) {
        List<PipelineEvent> out = new ArrayList<>();
        for (VoiceActivityDetector.Event event : events) {
            if (event instanceof VoiceActivityDetector.Started) {
                segmentTexts.clear();
                currentPartial = "";
                lastSent = "";
            } else if (event instanceof VoiceActivityDetector.Speech s) {
                if (speechEvents) {
                    out.add(new SpeechStarted(sessionId, s.atMs(), clock.millis()));
                }
            } else if (event instanceof VoiceActivityDetector.Audio a) {
                if (partials != null && a.samples().length > 0) {
                    take(partials.accept(AudioConverter.toBytes(a.samples())));
                    String text = localControls.text(localText());
                    if (sendPartials && !text.isBlank() && !text.equals(lastSent)) {
                        out.add(new TranscriptPartial(sessionId, a.index(), text, clock.millis()));
                        metrics.partialEmitted(partialsName);
                        lastSent = text;
                    }
                }
            } else if (event instanceof VoiceActivityDetector.Ended e) {
                String local = null;
                if (partials != null) {
                    take(partials.finish());
                    currentPartial = "";
                    local = localText();
                }
                submit(e.segment(), local, receivedAtMs);
            } else if (event instanceof VoiceActivityDetector.Dropped) {
                if (partials != null) {
                    partials.finish();
                }
            }
        }
        return out;
    }

    private void take(List<RecognitionResult> results) {
        for (RecognitionResult r : results) {
            if (r instanceof RecognitionResult.Final f) {
                if (!f.text().isBlank()) {
                    segmentTexts.add(f.text());
                }
                currentPartial = "";
            } else if (r instanceof RecognitionResult.Partial p) {
                currentPartial = p.text();
            }
        }
    }

    private String localText() {
        List<String> parts = new ArrayList<>(segmentTexts);
        if (!currentPartial.isBlank()) {
            parts.add(currentPartial);
        }
        return String.join(" ", parts).strip();
    }

    private void submit(Segment segment, String localText, long receivedAtMs) {
        String engine = cloud.engine().name();
        int rate = cloud.engine().sampleRate(language);
        byte[] pcm = AudioConverter.toBytes(
                rate == VoiceActivityDetector.SAMPLE_RATE
                        ? segment.pcm()
                        : Resampler.convert(segment.pcm(), VoiceActivityDetector.SAMPLE_RATE, rate));
        byte[] mp3 = null;
        int mp3Rate = 0;
        Mp3Decoder decoder = audio.mp3();
        if (decoder != null && cloud.engine().acceptsMp3(language, decoder.sampleRate())) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            audio.mp3Frames(segment.startMs(), segment.endMs()).forEach(f -> frames.writeBytes(f.bytes()));
            if (frames.size() > 0) {
                mp3 = frames.toByteArray();
                mp3Rate = decoder.sampleRate();
            }
        }
        SegmentRequest request =
                new SegmentRequest(sessionId + "-" + segment.index(), language, pcm, rate, mp3, mp3Rate, options);
        long started = System.nanoTime();
        CompletableFuture<List<PipelineEvent>> result = cloud.submit(request)
                .thenApply(r -> {
                    metrics.segment(engine, segment.endMs() - segment.startMs(), System.nanoTime() - started, "ok");
                    return finalOf(segment, r, engine, receivedAtMs);
                })
                .exceptionallyCompose(e -> onFailure(segment, localText, cause(e), receivedAtMs, started));
        outputs.add(result);
    }

    private CompletableFuture<List<PipelineEvent>> onFailure(
            Segment segment, String localText, Throwable failure, long receivedAtMs, long started) {
        String engine = cloud.engine().name();
        CloudEngineException e = failure instanceof CloudEngineException c
                ? c
                : new CloudEngineException(
                        CloudEngineException.Kind.RETRYABLE, "", String.valueOf(failure), null, failure);
        metrics.segment(
                engine,
                segment.endMs() - segment.startMs(),
                System.nanoTime() - started,
                e.kind().name().toLowerCase());
        log.warn(
                "Session {} segment {}: {} failed ({} {}: {}){}",
                sessionId,
                segment.index(),
                engine,
                e.kind(),
                e.code(),
                e.getMessage(),
                fallback != null ? "; recognised locally with " + fallback.name() : "");
        if (fallback == null) {
            if (e.kind() == CloudEngineException.Kind.REJECTED) {
                return CompletableFuture.completedFuture(List.of()); // one bad segment does not end the session
            }
            metrics.error(WorkerSessions.ENGINE_UNAVAILABLE);
            return CompletableFuture.completedFuture(List.of(new SessionFailed(
                    sessionId,
                    WorkerSessions.ENGINE_UNAVAILABLE,
                    engine + ": " + e.code() + ": " + e.getMessage(),
                    clock.millis())));
        }
        metrics.fallback(engine, e.kind().name().toLowerCase());
        if (localText != null) {
            // the partial stream's text is ready; its words are not kept (the session gets the final without them)
            return CompletableFuture.completedFuture(
                    finalOf(segment, localControls.text(localText), List.of(), fallback.name(), receivedAtMs));
        }
        return CompletableFuture.supplyAsync(
                        () -> {
                            RecognitionResult.Final local = recogniseLocally(segment);
                            List<Word> words = localControls.words(local.words());
                            return finalOf(
                                    segment,
                                    words.isEmpty()
                                            ? localControls.text(local.text())
                                            : String.join(
                                                    " ",
                                                    words.stream()
                                                            .map(Word::word)
                                                            .toList()),
                                    words,
                                    fallback.name(),
                                    receivedAtMs);
                        },
                        fallbackExecutor)
                .exceptionally(t -> {
                    log.warn(
                            "Session {} segment {}: local fallback failed too: {}",
                            sessionId,
                            segment.index(),
                            t.toString());
                    return List.of(new SessionFailed(
                            sessionId,
                            WorkerSessions.ENGINE_UNAVAILABLE,
                            engine + " failed (" + e.code() + ") and so did " + fallback.name(),
                            clock.millis()));
                });
    }

    /** The segment's text and words (times relative to the segment) from the local engine. */
    private RecognitionResult.Final recogniseLocally(Segment segment) {
        try (RecognitionStream stream = fallback.open(
                new StreamSpec(sessionId, VoiceActivityDetector.SAMPLE_RATE, language, options.hotwords()))) {
            List<String> texts = new ArrayList<>();
            List<Word> words = new ArrayList<>();
            List<RecognitionResult> results = new ArrayList<>(stream.accept(AudioConverter.toBytes(segment.pcm())));
            results.addAll(stream.finish());
            for (RecognitionResult r : results) {
                if (r instanceof RecognitionResult.Final f) {
                    texts.add(f.text());
                    words.addAll(f.words());
                }
            }
            return new RecognitionResult.Final(
                    String.join(" ", texts).strip(), 0, segment.endMs() - segment.startMs(), words);
        }
    }

    private List<PipelineEvent> finalOf(Segment segment, SegmentResult result, String engine, long receivedAtMs) {
        // the sentence API gives no word confidence
        return finalOf(
                segment,
                cloudControls.text(result.text()),
                cloudControls.words(result.words().stream()
                        .map(w -> new Word(w.word(), w.startMs(), w.endMs(), null))
                        .toList()),
                engine,
                receivedAtMs);
    }

    /** @param words times relative to the segment's start */
    private List<PipelineEvent> finalOf(
            Segment segment, String text, List<Word> words, String engine, long receivedAtMs) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        long start = segment.startMs();
        long end = segment.endMs();
        if (!words.isEmpty()) {
            // Word times are relative to the segment: place the final on the speech itself, inside the segment.
            start = Math.min(end, segment.startMs() + Math.max(0, words.get(0).startMs()));
            end = Math.max(
                    start,
                    Math.min(
                            end, segment.startMs() + words.get(words.size() - 1).endMs()));
        }
        List<Word> placed = null;
        if (wordTimestamps) {
            long offset = segment.startMs();
            placed = Word.fit(
                    words.stream()
                            .map(w -> new Word(w.word(), offset + w.startMs(), offset + w.endMs(), w.confidence()))
                            .toList(),
                    start,
                    end);
        }
        metrics.finalEmitted(engine);
        return List.of(new TranscriptFinal(
                sessionId, segment.index(), text.strip(), start, end, engine, receivedAtMs, clock.millis(), placed));
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
