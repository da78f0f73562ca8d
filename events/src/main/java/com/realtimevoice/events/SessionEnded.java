package com.realtimevoice.events;

/**
 * No more audio will come for this session.
 *
 * @param lastSeq    seq of the last chunk sent, -1 if none
 * @param totalBytes audio bytes sent in the whole session
 * @param reason     why: {@code end} (client asked), {@code client_closed}, {@code server_closed}
 */
public record SessionEnded(String sessionId, long lastSeq, long totalBytes, String reason, long endedAtMs)
        implements PipelineEvent {
}
