package com.realtimevoice.events;

/**
 * No more audio will come for this session.
 *
 * @param lastSeq    seq of the last chunk sent, -1 if none
 * @param totalBytes audio bytes sent in the whole session
 * @param reason     why: {@code end} (client asked), {@code abandoned} (no resume within the window),
 *                   {@code max_duration}, {@code idle}
 * @param nodeId     the ingest node that ended it: an {@code abandoned} end from a node the session has since
 *                   moved away from is ignored; null from older producers
 */
public record SessionEnded(
        String sessionId, long lastSeq, long totalBytes, String reason, long endedAtMs, String nodeId)
        implements PipelineEvent {

    public SessionEnded(String sessionId, long lastSeq, long totalBytes, String reason, long endedAtMs) {
        this(sessionId, lastSeq, totalBytes, reason, endedAtMs, null);
    }
}
