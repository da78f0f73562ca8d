package com.realtimevoice.result.history;

import com.realtimevoice.result.transcript.SessionSummary;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code GET /api/sessions}: a page of the caller's sessions, newest first.
 *
 * @param next the {@code before} value for the following page; null on the last page
 */
record SessionList(List<Item> sessions, String next) {

    record Item(String sessionId, Instant startedAt, Instant endedAt, Long durationMs, String status, String preview) {

        static Item of(SessionSummary summary) {
            return new Item(
                    summary.sessionId(),
                    summary.startedAt(),
                    summary.endedAt(),
                    summary.durationMs(),
                    summary.status().name(),
                    summary.preview());
        }
    }
}
