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
 * stall therefore reads every open session from its start and rebuilds its recognizer; it recognises again only
 * from the session's {@link ReplayPoint} (carried in the commit's metadata) or, without one, the whole session,
 * re-emitting its finals under the same indexes, which downstream overwrite. Chunks it already had are dropped by seq.
 *
 * <p>Records are recognised on the engine pool ({@link SessionLanes}), so they finish out of order: a record
 * dispatched and not yet finished ({@link #dispatched}, {@link #finished}) holds its partition's commit back too.
 *
 * <p>A worker runs several consumers ({@code asr.worker.concurrency}) and this state is shared by them, so each
 * partition has one holder: the consumer it was last assigned to. A partition can move from one consumer of this
 * worker to another before the first one hears that it lost it (fenced after a broker outage or a stall past
 * {@code max.poll.interval.ms}); the late loser's records, commits and forgetting must then not touch what the new
 * holder built (its anchors, its epoch, its recognizers), or the new holder's sessions lose their start and fail
 * {@code SESSION_NOT_FOUND}. Likewise an output acknowledged for an earlier epoch of a partition does not release a
 * session the current epoch is replaying.
 *
 * <p>Each commit also carries, in its metadata, the {@link ReplayPoint} of every open session of the partition that
 * has one: where a takeover may start recognising it again instead of at its start. The commit itself stays at the
 * start; a point only lets the next holder skip recognising audio whose outputs are on the broker already.
 *
 * <p>Touched by listener threads (assign, open, dispatch, commit, forget), the engine pool (finish, progress) and the
 * publisher's completion threads (release).
 */
@Component
class CommitPositions {

    /** Open sessions: where each one's start is, and on which partition. */
    private final Map<String, Anchor> anchors = new ConcurrentHashMap<>();
    /** The next offset to read on each partition this worker has processed records of. */
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    /** Offsets dispatched to the engine pool and not finished, per partition; guarded by itself. */
    private final Map<TopicPartition, java.util.TreeSet<Long>> running = new HashMap<>();
    /** Bumped each time a partition is forgotten or changes holder, so events dispatched before can tell they are stale. */
    private final Map<TopicPartition, Integer> epochs = new ConcurrentHashMap<>();
    /** The consumer (its listener thread) each partition was last assigned to. */
    private final Map<TopicPartition, Object> holders = new ConcurrentHashMap<>();
    /** What {@link #dispatched} hands a consumer that no longer holds the partition: never current. */
    private static final int STALE = -1;

    /** Open sessions' replay points, as their lanes last recorded them (see {@link #progressed}). */
    private final Map<String, Progress> progress = new ConcurrentHashMap<>();
    /**
     * Replay points read from the last commit of partitions assigned to this worker, for sessions whose start has not
     * been read again yet: taken when it is ({@link #takeInherited}), carried in this worker's commits until then.
     */
    private final Map<String, Progress> inherited = new ConcurrentHashMap<>();

    private record Anchor(TopicPartition partition, long offset) {}

    private record Progress(TopicPartition partition, ReplayPoint point) {}

    /**
     * The partition was assigned to this consumer. If another consumer of this worker held it, what that one built is
     * stale (this one replays from the last commit): it is dropped here and its open sessions returned, for their
     * recognizers to be dropped before the replay.
     */
    java.util.Set<String> assigned(Object consumer, TopicPartition partition) {
        Object before = holders.put(partition, consumer);
        return before == null || before == consumer ? java.util.Set.of() : reset(partition);
    }

    /** The partitions of these that this consumer holds (or that no consumer was assigned). */
    java.util.List<TopicPartition> heldBy(Object consumer, java.util.Collection<TopicPartition> partitions) {
        return partitions.stream().filter(p -> holds(consumer, p)).toList();
    }

    private boolean holds(Object consumer, TopicPartition partition) {
        Object holder = holders.get(partition);
        return holder == null || holder == consumer;
    }

    /** A session's start was read at this offset: hold commits back to it until the session is done. */
    void opened(Object consumer, String sessionId, TopicPartition partition, long offset) {
        if (holds(consumer, partition)) {
            anchors.merge(
                    sessionId, new Anchor(partition, offset), (old, now) -> old.offset() <= now.offset() ? old : now);
        }
    }

    /** The session's last output (completed or failed) is on the transcripts topic: nothing of it needs replaying. */
    void released(String sessionId) {
        anchors.remove(sessionId);
        progress.remove(sessionId);
    }

    /**
     * As {@link #released(String)}, for an output of a record dispatched in this epoch of the partition: an earlier
     * epoch's output does not release the replay the current one holds.
     */
    void released(String sessionId, TopicPartition partition, int epoch) {
        anchors.computeIfPresent(
                sessionId, (id, a) -> a.partition().equals(partition) && current(partition, epoch) ? null : a);
        if (!anchors.containsKey(sessionId)) {
            progress.remove(sessionId);
        }
    }

    /**
     * The session's lane handled a record of this epoch and sent its outputs; the session may be resumed from
     * {@code point} (null: it has none). Recorded only while the session is open on the partition.
     */
    void progressed(String sessionId, TopicPartition partition, int epoch, ReplayPoint point) {
        if (point == null || !current(partition, epoch)) {
            return;
        }
        Progress known = progress.get(sessionId);
        if (known != null && known.point() == point && known.partition().equals(partition)) {
            return; // most records: no new final, the same point (called for every record)
        }
        Anchor anchor = anchors.get(sessionId);
        if (anchor != null && anchor.partition().equals(partition)) {
            progress.put(sessionId, new Progress(partition, point));
        }
    }

    /** The metadata of the partition's last commit, read when it was assigned to this consumer: its replay points. */
    int inherit(Object consumer, TopicPartition partition, String metadata) {
        if (!holds(consumer, partition)) {
            return 0;
        }
        Map<String, ReplayPoint> points = ReplayPoint.decode(metadata);
        points.forEach((id, point) -> inherited.put(id, new Progress(partition, point)));
        return points.size();
    }

    /**
     * The session's start was read again on this partition ({@link #opened} first): the replay point the previous
     * holder left for it, if any, which from now on is the session's own until its lane records a later one.
     */
    ReplayPoint takeInherited(Object consumer, String sessionId, TopicPartition partition) {
        Progress from = inherited.get(sessionId);
        if (from == null || !from.partition().equals(partition) || !holds(consumer, partition)) {
            return null;
        }
        inherited.remove(sessionId, from);
        Anchor anchor = anchors.get(sessionId);
        if (anchor != null && anchor.partition().equals(partition)) {
            progress.put(sessionId, from);
        }
        return from.point();
    }

    /**
     * The record at this offset went to the engine pool.
     *
     * @return the partition's epoch, for {@link #current}; one that is never current if another consumer holds it now
     */
    int dispatched(Object consumer, TopicPartition partition, long offset) {
        if (!holds(consumer, partition)) {
            return STALE;
        }
        synchronized (running) {
            running.computeIfAbsent(partition, p -> new java.util.TreeSet<>()).add(offset);
        }
        next.merge(partition, offset + 1, Math::max);
        return epochs.getOrDefault(partition, 0);
    }

    /** The record at this offset, dispatched in this epoch, is recognised and its outputs are sent (or it was skipped). */
    void finished(TopicPartition partition, long offset, int epoch) {
        if (!current(partition, epoch)) {
            return; // forgotten or taken over since: its running set is not this record's any more
        }
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

    /**
     * The partition moved away from this consumer (or was lost): forget it; its sessions are the new holder's now.
     * Nothing is forgotten when another consumer of this worker holds it already.
     */
    java.util.Set<String> forget(Object consumer, TopicPartition partition) {
        if (!holds(consumer, partition)) {
            return java.util.Set.of();
        }
        holders.remove(partition, consumer);
        return reset(partition);
    }

    private java.util.Set<String> reset(TopicPartition partition) {
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
        progress.values().removeIf(p -> p.partition().equals(partition));
        inherited.values().removeIf(p -> p.partition().equals(partition));
        return sessions;
    }

    /**
     * What may be committed now, for the given partitions: nothing past the oldest open start or the oldest record
     * still being recognised; else everything dispatched. Only the partitions this consumer holds. The metadata holds
     * the replay points of the partition's open sessions ({@link ReplayPoint#encode}).
     */
    Map<TopicPartition, OffsetAndMetadata> safeOffsets(
            Object consumer, java.util.Collection<TopicPartition> partitions) {
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
        for (TopicPartition p : heldBy(consumer, partitions)) {
            Long processed = next.get(p);
            if (processed == null) {
                continue;
            }
            Long anchor = oldest.get(p);
            safe.put(
                    p,
                    new OffsetAndMetadata(anchor == null ? processed : Math.min(anchor, processed), replayPoints(p)));
        }
        return safe;
    }

    private String replayPoints(TopicPartition partition) {
        if (progress.isEmpty() && inherited.isEmpty()) {
            return "";
        }
        Map<String, ReplayPoint> points = new HashMap<>();
        inherited.forEach((id, p) -> {
            if (p.partition().equals(partition)) {
                points.put(id, p.point());
            }
        });
        progress.forEach((id, p) -> {
            if (p.partition().equals(partition)) {
                points.put(id, p.point());
            }
        });
        return ReplayPoint.encode(points, ReplayPoint.MAX_METADATA_BYTES);
    }

    int openSessions() {
        return anchors.size();
    }
}
