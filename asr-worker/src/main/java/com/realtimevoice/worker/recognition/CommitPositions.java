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
 * <p>Records are recognised on the engine pool ({@link SessionLanes}), so they finish out of order: a record
 * dispatched and not yet finished ({@link #dispatched}, {@link #finished}) holds its partition's commit back too.
 *
 * <p>Touched by listener threads (open, dispatch, commit), the engine pool (finish) and the publisher's completion
 * threads (release).
 */
@Component
class CommitPositions {

    /** Open sessions: where each one's start is, and on which partition. */
    private final Map<String, Anchor> anchors = new ConcurrentHashMap<>();
    /** The next offset to read on each partition this worker has processed records of. */
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    /** Offsets dispatched to the engine pool and not finished, per partition; guarded by itself. */
    private final Map<TopicPartition, java.util.TreeSet<Long>> running = new HashMap<>();
    /** Bumped each time a partition is forgotten, so events dispatched before can tell they are stale. */
    private final Map<TopicPartition, Integer> epochs = new ConcurrentHashMap<>();

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

    /**
     * The record at this offset went to the engine pool.
     *
     * @return the partition's epoch, for {@link #current}
     */
    int dispatched(TopicPartition partition, long offset) {
        synchronized (running) {
            running.computeIfAbsent(partition, p -> new java.util.TreeSet<>()).add(offset);
        }
        next.merge(partition, offset + 1, Math::max);
        return epochs.getOrDefault(partition, 0);
    }

    /** The record at this offset is recognised and its outputs are sent (or it was skipped). */
    void finished(TopicPartition partition, long offset) {
        synchronized (running) {
            java.util.TreeSet<Long> offsets = running.get(partition);
            if (offsets != null) {
                offsets.remove(offset);
            }
            running.notifyAll();
        }
    }

    /** False once the partition was forgotten after the epoch was handed out: its sessions are another worker's. */
    boolean current(TopicPartition partition, int epoch) {
        return epochs.getOrDefault(partition, 0) == epoch;
    }

    /**
     * Waits until the partitions' dispatched records have finished, at most {@code timeoutMs}.
     *
     * @return whether they all did
     */
    boolean awaitFinished(java.util.Collection<TopicPartition> partitions, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (running) {
            while (true) {
                boolean busy = partitions.stream().anyMatch(p -> {
                    java.util.TreeSet<Long> offsets = running.get(p);
                    return offsets != null && !offsets.isEmpty();
                });
                long left = deadline - System.currentTimeMillis();
                if (!busy || left <= 0) {
                    return !busy;
                }
                running.wait(left);
            }
        }
    }

    /** The partition moved to another worker (or was lost): forget it; its sessions are that worker's now. */
    java.util.Set<String> forget(TopicPartition partition) {
        epochs.merge(partition, 1, Integer::sum);
        next.remove(partition);
        synchronized (running) {
            running.remove(partition);
            running.notifyAll();
        }
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

    /**
     * What may be committed now, for the given partitions: nothing past the oldest open start or the oldest record
     * still being recognised; else everything dispatched.
     */
    Map<TopicPartition, OffsetAndMetadata> safeOffsets(java.util.Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> oldest = new HashMap<>();
        for (Anchor a : anchors.values()) {
            oldest.merge(a.partition(), a.offset(), Math::min);
        }
        synchronized (running) {
            running.forEach((p, offsets) -> {
                if (!offsets.isEmpty()) {
                    oldest.merge(p, offsets.first(), Math::min);
                }
            });
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
