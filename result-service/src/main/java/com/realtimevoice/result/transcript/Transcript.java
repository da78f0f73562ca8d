package com.realtimevoice.result.transcript;

import com.realtimevoice.events.Word;
import java.time.Instant;
import java.util.List;

/** A stored session with its finals in ascending index order. */
public record Transcript(
        String sessionId,
        String userId,
        SessionStatus status,
        String errorCode,
        Instant startedAt,
        Instant endedAt,
        List<Segment> segments) {

    /** @param words the final's word timings, null when the session did not ask for them */
    public record Segment(int index, String text, long startMs, long endMs, List<Word> words) {

        public Segment(int index, String text, long startMs, long endMs) {
            this(index, text, startMs, endMs, null);
        }
    }

    /** The whole transcript: the finals' text by ascending index, one space between them. */
    public String text() {
        return joinText(segments.stream().map(Segment::text).toList());
    }

    /**
     * Exactly what the contract promises a client: every final's text, by ascending index, one space between.
     * Nothing is trimmed or dropped, so a client joining the finals it received gets the same string.
     */
    static String joinText(List<String> textsByIndex) {
        return String.join(" ", textsByIndex);
    }
}
