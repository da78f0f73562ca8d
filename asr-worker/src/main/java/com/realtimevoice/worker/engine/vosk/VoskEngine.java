package com.realtimevoice.worker.engine.vosk;

import com.realtimevoice.events.Word;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import com.realtimevoice.worker.engine.RecognitionResult.Partial;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import org.vosk.Model;
import org.vosk.Recognizer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The embedded engine: Vosk (Kaldi) running in-process on one shared model, one recognizer per session. */
@Component
class VoskEngine implements SpeechEngine {

    static final String NAME = "vosk";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Model model;

    VoskEngine(VoskModelProvider models) {
        // Loaded at start: a missing or broken model fails the start, and readiness waits for it.
        this.model = models.model();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecognitionStream open(StreamSpec spec) {
        if (spec.sampleRate() < 8000 || spec.sampleRate() > 48000) {
            throw new EngineUnavailableException("vosk: unsupported sample rate " + spec.sampleRate() + " Hz");
        }
        try {
            Recognizer recognizer = new Recognizer(model, spec.sampleRate());
            recognizer.setWords(true); // word times: each final's place in the audio, and its words when asked
            HotwordPass hotwords =
                    spec.hotwords().isEmpty() ? null : new HotwordPass(model, spec.sampleRate(), spec.hotwords());
            return new VoskStream(recognizer, spec.sampleRate(), hotwords);
        } catch (IOException | RuntimeException e) {
            throw new EngineUnavailableException("vosk: cannot create a recognizer: " + e.getMessage(), e);
        }
    }

    /** Not thread-safe, like the recognizer it wraps. */
    static final class VoskStream implements RecognitionStream {

        private final Recognizer recognizer;
        private final int bytesPerSecond;
        private long bytesFed;
        /** End of the last final, in ms: where the next segment starts when Vosk gives no word times. */
        private long lastFinalEndMs;

        private boolean closed;
        /** The session's hotwords, or null when it has none. */
        private final HotwordPass hotwords;

        VoskStream(Recognizer recognizer, int sampleRate, HotwordPass hotwords) {
            this.recognizer = recognizer;
            this.bytesPerSecond = sampleRate * 2;
            this.hotwords = hotwords;
        }

        @Override
        public List<RecognitionResult> accept(byte[] pcm16le) {
            ensureOpen();
            bytesFed += pcm16le.length;
            if (hotwords != null) {
                hotwords.feed(pcm16le);
            }
            if (recognizer.acceptWaveForm(pcm16le, pcm16le.length)) {
                return finalOf(recognizer.getResult());
            }
            String partial = text(JSON.readTree(recognizer.getPartialResult()), "partial");
            return partial.isEmpty() ? List.of() : List.of(new Partial(partial));
        }

        @Override
        public List<RecognitionResult> finish() {
            ensureOpen();
            return finalOf(recognizer.getFinalResult());
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                recognizer.close();
            }
        }

        private List<RecognitionResult> finalOf(String json) {
            JsonNode result = JSON.readTree(json);
            String text = text(result, "text");
            long audioEndMs = bytesFed * 1000 / bytesPerSecond;
            if (text.isEmpty()) {
                // Silence or noise: not a segment. The next segment starts after it.
                lastFinalEndMs = audioEndMs;
                if (hotwords != null) {
                    hotwords.restartAt(audioEndMs);
                }
                return List.of();
            }
            long startMs = lastFinalEndMs;
            long endMs = audioEndMs;
            // setWords(true): "result" is [{"conf", "start", "end", "word"}], times in seconds of the stream's audio
            List<Word> words = new ArrayList<>();
            for (JsonNode w : result.path("result")) {
                words.add(new Word(
                        text(w, "word"),
                        Math.round(w.path("start").asDouble() * 1000),
                        Math.round(w.path("end").asDouble() * 1000),
                        w.path("conf").isNumber() ? w.path("conf").asDouble() : null));
            }
            if (!words.isEmpty()) {
                startMs = words.get(0).startMs();
                endMs = words.get(words.size() - 1).endMs();
            }
            lastFinalEndMs = audioEndMs;
            List<RecognitionResult> out = new ArrayList<>(1);
            Final f = new Final(text, startMs, endMs, words);
            if (hotwords != null) {
                f = hotwords.apply(f);
                hotwords.restartAt(audioEndMs);
            }
            out.add(f);
            return out;
        }

        private static String text(JsonNode node, String field) {
            return node.path(field).asString("").strip();
        }

        private void ensureOpen() {
            if (closed) {
                throw new IllegalStateException("recognition stream is closed");
            }
        }
    }
}
