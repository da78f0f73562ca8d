package com.realtimevoice.events;

import java.util.List;

/**
 * result-service's answer to {@link WatchJoined}, on the watching node's delivery topic: the session's stored finals
 * so far (the watchers' catch-up, in index order, without word timings) and the live results follow it.
 *
 * @param epoch  the session's watch-token epoch: tokens issued under an older one were revoked
 * @param status {@code STARTED} (live), {@code COMPLETED}, {@code FAILED}, or {@code UNKNOWN} (not stored, deleted)
 * @param text   the whole transcript when completed, else null
 */
public record WatchSynced(String sessionId, int epoch, String status, List<Final> finals, String text, long syncedAtMs)
        implements PipelineEvent {

    public WatchSynced {
        finals = finals == null ? List.of() : List.copyOf(finals);
    }

    /** A stored final, as the speaker got it (less its word timings). */
    public record Final(int index, String text, long startMs, long endMs) {}
}
