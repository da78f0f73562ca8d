package com.realtimevoice.worker.recognition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * How far each audio partition's offset may be committed: never past the {@code session.started} record of a
 * session still open on it (invariant 5). A worker that takes the partition over after a crash, a rebalance or a
 * stall therefore reads every open session from its start, rebuilds its recognizer and re-emits its finals under
 * the same indexes, which downstream overwrite; chunks it already had are dropped by seq. Sessions are short
 * (hold to talk; 10 minutes at most), so the replay is short too.
 *
 * <p>Touched by listener threads (open, processed, commit) and by the publisher's completion threads (release).
 */
@Component
class CommitPositions {

    /** Open sessions: where each one's start is, and on which partition. */
    private final Map<String, Anchor> anchors = new ConcurrentHashMap<>();
    /** The next offset to read on each partition this worker has processed records of. */
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    private record Anchor(TopicPartition partition, long offset) {
    }

    /** A session's start was read at this offset: hold commits back to it until the session is done. */
    void opened(String sessionId, TopicPartition partition, long offset) {
        anchors.merge(sessionId, new Anchor(partition, offset), (old, now) -> old.offset() <= now.offset() ? old : now);
    }

    /** The session's last output (completed or failed) is on the transcripts topic: nothing of it needs replaying. */
    void released(String sessionId) {
        anchors.remove(sessionId);
    }

    void processed(TopicPartition partition, long offset) {
        next.merge(partition, offset + 1, Math::max);
    }

    /** The partition moved to another worker (or was lost): forget it; its sessions are that worker's now. */
    java.util.Set<String> forget(TopicPartition partition) {
        next.remove(partition);
        java.util.Set<String> sessions = new java.util.HashSet<>();
        anchors.entrySet().removeIf(e -> {
            if (e.getValue().partition().equals(partition)) {
                sessions.add(e.getKey());
                return true;
            }
            return false;
        });
        return sessions;
    }

    /** What may be committed now, for the given partitions: the oldest open start, else everything processed. */
    Map<TopicPartition, OffsetAndMetadata> safeOffsets(java.util.Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> oldest = new HashMap<>();
        for (Anchor a : anchors.values()) {
            oldest.merge(a.partition(), a.offset(), Math::min);
        }
        Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
        for (TopicPartition p : partitions) {
            Long processed = next.get(p);
            if (processed == null) {
                continue;
            }
            Long anchor = oldest.get(p);
            safe.put(p, new OffsetAndMetadata(anchor == null ? processed : Math.min(anchor, processed)));
        }
        return safe;
    }

    int openSessions() {
        return anchors.size();
    }
}
