package com.realtimevoice.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The stable text of segment {@code index}. (sessionId, index) is the final's identity: a replay
 * overwrites, never duplicates.
 *
 * @param startMs         where the segment starts in the session's audio
 * @param endMs           where it ends
 * @param audioReceivedAtMs receive time (at ingest) of the chunk that closed the segment, for latency
 * @param words           the final's words with their times, only when the session asked ({@code wordTimestamps});
 *                        null otherwise and from older producers (absent from the JSON)
 */
public record TranscriptFinal(
        String sessionId,
        int index,
        String text,
        long startMs,
        long endMs,
        String engine,
        long audioReceivedAtMs,
        long emittedAtMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Word> words)
        implements PipelineEvent {

    public TranscriptFinal(
            String sessionId,
            int index,
            String text,
            long startMs,
            long endMs,
            String engine,
            long audioReceivedAtMs,
            long emittedAtMs) {
        this(sessionId, index, text, startMs, endMs, engine, audioReceivedAtMs, emittedAtMs, null);
    }
}
