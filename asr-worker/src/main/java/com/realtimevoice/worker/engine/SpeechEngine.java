package com.realtimevoice.worker.engine;

/**
 * A speech recognition engine (Vosk, Tencent Cloud ASR, ...). Implementations are Spring beans; the
 * {@link EngineRegistry} finds them by {@link #name()}. One engine serves many sessions at once, so
 * {@link #open} must be thread-safe; each stream it returns is used by one thread at a time.
 */
public interface SpeechEngine {

    /** The name sessions ask for in the {@code engine} field of {@code start}, e.g. {@code vosk}. */
    String name();

    /**
     * Opens the recognizer for one session.
     *
     * @throws EngineUnavailableException if the engine cannot serve this session (bad sample rate, quota, ...)
     */
    RecognitionStream open(StreamSpec spec);
}
