package com.realtimevoice.events;

/**
 * The stable text of segment {@code index}. (sessionId, index) is the final's identity: a replay
 * overwrites, never duplicates.
 *
 * @param startMs         where the segment starts in the session's audio
 * @param endMs           where it ends
 * @param audioReceivedAtMs receive time (at ingest) of the chunk that closed the segment, for latency
 */
public record TranscriptFinal(
        String sessionId,
        int index,
        String text,
        long startMs,
        long endMs,
        String engine,
        long audioReceivedAtMs,
        long emittedAtMs) implements PipelineEvent {
}
