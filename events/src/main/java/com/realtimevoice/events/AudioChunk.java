package com.realtimevoice.events;

/**
 * One chunk of audio as the client sent it. On the wire the value is the raw bytes and every other
 * field is a header: no base64, no JSON arrays of samples.
 *
 * @param seq        0-based chunk number within the session
 * @param byteOffset offset of the first byte of this chunk in the session's audio stream
 */
public record AudioChunk(
        String sessionId, long seq, long byteOffset, String format, int sampleRate, long receivedAtMs, byte[] audio)
        implements PipelineEvent {

    /** Milliseconds of audio in this chunk, assuming 16-bit mono PCM. */
    public long durationMs() {
        return audio.length / 2 * 1000L / sampleRate;
    }
}
