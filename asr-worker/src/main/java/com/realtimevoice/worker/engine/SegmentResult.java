package com.realtimevoice.worker.engine;

import java.util.List;

/**
 * What a segment engine made of a segment.
 *
 * @param words         word timings in ms from the start of the segment (empty if the engine gave none)
 * @param audioDuration what the engine says it heard, ms
 * @param requestId     the engine's id of the request, for support tickets and logs
 */
public record SegmentResult(String text, List<Word> words, long audioDuration, String requestId) {

    public record Word(String word, long startMs, long endMs) {}
}
