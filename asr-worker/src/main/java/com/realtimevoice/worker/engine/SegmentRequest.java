package com.realtimevoice.worker.engine;

import com.realtimevoice.events.RecognitionOptions;

/**
 * One segment to recognise.
 *
 * @param segmentKey deterministic identity of the segment ({@code sessionId-index}): the same audio replayed gives the same key
 * @param pcm16le    16-bit mono PCM at {@code sampleRate}; always present
 * @param mp3        the client's original MP3 frames covering the segment, or null
 * @param mp3Rate    their sample rate
 * @param options    the session's hotwords and output controls, for engines that take them
 */
public record SegmentRequest(
        String segmentKey,
        String language,
        byte[] pcm16le,
        int sampleRate,
        byte[] mp3,
        int mp3Rate,
        RecognitionOptions options) {

    public SegmentRequest {
        options = options == null ? RecognitionOptions.NONE : options;
    }

    public SegmentRequest(String segmentKey, String language, byte[] pcm16le, int sampleRate, byte[] mp3, int mp3Rate) {
        this(segmentKey, language, pcm16le, sampleRate, mp3, mp3Rate, RecognitionOptions.NONE);
    }

    public long durationMs() {
        return pcm16le.length / 2 * 1000L / sampleRate;
    }
}
