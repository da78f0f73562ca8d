package com.realtimevoice.worker.engine;

import java.util.List;

/**
 * One session's recognizer. Not thread-safe: the caller feeds it from one thread at a time, in audio order.
 * Any method may throw a runtime exception when the engine fails; the session then fails.
 */
public interface RecognitionStream extends AutoCloseable {

    /** Feeds 16-bit signed little-endian mono PCM; returns what the engine recognised so far (often nothing). */
    List<RecognitionResult> accept(byte[] pcm16le);

    /** No more audio: returns the final(s) of whatever is still pending. */
    List<RecognitionResult> finish();

    /**
     * Finalises what is pending now ({@code flush}, or the worker's own endpointing) and goes on: audio fed after it
     * starts a new segment, its times still counted from the start of the session. The default is {@link #finish()},
     * for engines whose finish leaves the stream usable (Vosk's final result does).
     */
    default List<RecognitionResult> flush() {
        return finish();
    }

    /** Releases the engine's resources; idempotent. */
    @Override
    void close();
}
