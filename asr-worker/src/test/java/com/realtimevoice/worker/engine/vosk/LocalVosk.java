package com.realtimevoice.worker.engine.vosk;

import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import java.util.ArrayList;
import java.util.List;

/** The bundled Vosk English model for tests outside this package, loaded once per test JVM. */
public final class LocalVosk {

    private static SpeechEngine engine;

    private LocalVosk() {}

    public static synchronized SpeechEngine engine() {
        if (engine == null) {
            engine = new VoskEngine(
                    new VoskModelProvider(null, VoskEngineTest.MODEL_CACHE, VoskModelProvider.BUNDLED_RESOURCE));
        }
        return engine;
    }

    /** Recognises 16 kHz mono PCM fed 100 ms at a time, as a client would send it; returns the finals. */
    public static List<RecognitionResult.Final> finals(byte[] pcm16k) {
        List<RecognitionResult.Final> finals = new ArrayList<>();
        try (RecognitionStream stream = engine().open(new StreamSpec("test", 16_000, null))) {
            for (int off = 0; off < pcm16k.length; off += 3200) {
                byte[] chunk = java.util.Arrays.copyOfRange(pcm16k, off, Math.min(pcm16k.length, off + 3200));
                stream.accept(chunk).stream()
                        .filter(RecognitionResult.Final.class::isInstance)
                        .map(RecognitionResult.Final.class::cast)
                        .forEach(finals::add);
            }
            stream.finish().stream()
                    .filter(RecognitionResult.Final.class::isInstance)
                    .map(RecognitionResult.Final.class::cast)
                    .forEach(finals::add);
        }
        return finals;
    }

    public static String text(byte[] pcm16k) {
        return String.join(
                        " ",
                        finals(pcm16k).stream()
                                .map(RecognitionResult.Final::text)
                                .toList())
                .strip();
    }
}
