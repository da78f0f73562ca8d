package com.realtimevoice.result.transcript;

import java.time.Instant;

/**
 * One line of a user's session list: what a client shows before it opens a session.
 *
 * @param preview the start of the transcript, at most {@link TranscriptStore#PREVIEW_LENGTH} characters
 */
public record SessionSummary(
        String sessionId, Instant startedAt, Instant endedAt, SessionStatus status, String preview) {

    /** Milliseconds from start to end; null while the session is live. */
    public Long durationMs() {
        return endedAt == null ? null : Math.max(0, endedAt.toEpochMilli() - startedAt.toEpochMilli());
    }
}
