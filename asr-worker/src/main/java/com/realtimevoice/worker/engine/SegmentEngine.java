package com.realtimevoice.worker.engine;

/**
 * An engine that recognises a whole segment of speech per request (Tencent Cloud's SentenceRecognition, ...), as
 * opposed to a {@link SpeechEngine} fed audio as it comes. The worker cuts the segments (voice activity detection)
 * and calls {@link #recognize} on its own bounded executor, never on a Kafka consumer thread; implementations just
 * make the call and classify its failures. Thread-safe.
 */
public interface SegmentEngine {

    /** The name sessions ask for in the {@code engine} field of {@code start}, e.g. {@code tencent}. */
    String name();

    /**
     * Checks at a session's start that this engine can serve it (configured, a model for the language, credentials
     * not known to be refused).
     *
     * @throws EngineUnavailableException with a message that says what to fix
     */
    void checkSession(String language);

    /** How the worker must call it: threads, request rate, retries, circuit breaker. */
    com.realtimevoice.worker.engine.cloud.CallPolicy policy();

    /** Audio rate the engine's model for this language wants (8000 or 16000). */
    int sampleRate(String language);

    /** Whether the engine takes MP3 at this rate as it is (so MP3 sessions can send their original frames). */
    boolean acceptsMp3(String language, int mp3SampleRate);

    /**
     * Recognises one segment; blocking (an HTTP call).
     *
     * @throws CloudEngineException classified so that the caller knows whether to retry
     */
    SegmentResult recognize(SegmentRequest request) throws CloudEngineException;
}
