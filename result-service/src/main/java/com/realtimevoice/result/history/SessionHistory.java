package com.realtimevoice.result.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.realtimevoice.events.Word;
import com.realtimevoice.result.transcript.Transcript;
import java.time.Instant;
import java.util.List;

/** The body of {@code GET /api/sessions/{id}}. */
record SessionHistory(
        String sessionId,
        String userId,
        String status,
        Instant startedAt,
        Instant endedAt,
        int segmentCount,
        String text,
        List<Segment> segments) {

    /** {@code words} only when the session asked for them (absent from the JSON otherwise). */
    record Segment(
            int index,
            String text,
            long startMs,
            long endMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Word> words) {}

    static SessionHistory of(Transcript transcript) {
        return new SessionHistory(
                transcript.sessionId(),
                transcript.userId(),
                transcript.status().name(),
                transcript.startedAt(),
                transcript.endedAt(),
                transcript.segments().size(),
                transcript.text(),
                transcript.segments().stream()
                        .map(s -> new Segment(s.index(), s.text(), s.startMs(), s.endMs(), s.words()))
                        .toList());
    }
}
