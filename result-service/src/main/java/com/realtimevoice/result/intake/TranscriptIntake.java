package com.realtimevoice.result.intake;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.TranscriptStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the workers' results a poll at a time. Each session's events arrive in order (they share a key,
 * hence a partition) and are handled in that order: what must be stored is stored, then delivered to the node
 * holding the socket.
 * <p>
 * This listener walks the poll ({@link Poll}) and calls the steps, per record: decode ({@link EventRecords}), skip
 * what belongs to a session failed on poison ({@link PoisonedSessions}), then {@link EventDispatch}, which gathers the
 * poll's starts, finals and completions (and partials, to deliver in order with them) into a group keeping each
 * session's order ({@link PendingGroup}); {@link GroupWriter} writes a group in one transaction and only then
 * delivers it, in record order: persist, then deliver. Routes come from {@link SessionRoutes}; the poll's sends
 * ({@link PollSends}: deliveries, watchers' copies, dead letters) are sent without waiting and all acked before the
 * listener returns, so offsets are committed only after everything was stored and delivered.
 * <p>
 * What fails is classified ({@link Failures}). Poison (a record that cannot be decoded, a value the database
 * refuses, an event of a session whose start was never stored) cannot pass on a retry: the record goes to the
 * dead-letter topic at once, its session fails ({@link #UNPROCESSABLE}, stored and told to its client through the
 * node holding its socket) and its later records follow it to the dead-letter topic; the poll goes on with the
 * other sessions' records, nothing is rewound. A transient failure (the database away, a lock wait timeout or
 * deadlock, a delivery not acked in time) holds only the partition of the record that failed ({@link PartitionHolds}):
 * that partition's later records in the poll are left for later, it is sought back to that record and paused for
 * a back-off, then read again from there, as long as the failure lasts; never dead-lettered. The other partitions'
 * records go on. When the database itself is away (no connection), every record after that point waits alike,
 * without a connection attempt each. Offsets are committed by this listener (ack-mode manual), per partition: up to
 * the first record not handled. Nothing is logged and skipped.
 */
@Component
class TranscriptIntake implements org.springframework.kafka.listener.ConsumerSeekAware {

    static final String LISTENER_ID = "result-intake";
    /**
     * The error a session's client gets when its data cannot be processed (poison): retrying the same input
     * fails the same way. A contract extension (docs/protocol.md).
     */
    static final String UNPROCESSABLE = "UNPROCESSABLE";

    private static final Logger log = LoggerFactory.getLogger(TranscriptIntake.class);

    private final Delivery delivery;
    private final DeadLetters deadLetters;
    private final PartitionHolds holds;
    private final WatcherDelivery watchers;
    private final PoisonedSessions poisoned;
    private final GroupWriter writer;
    private final EventDispatch dispatch;

    @Autowired
    TranscriptIntake(
            TranscriptStore store,
            RouteCache routes,
            Delivery delivery,
            ResultMetrics metrics,
            DeadLetters deadLetters,
            PartitionHolds holds,
            WatcherDelivery watchers,
            ResultServiceProperties properties) {
        this(
                store,
                routes,
                delivery,
                metrics,
                deadLetters,
                holds,
                watchers,
                properties.batch().maxFinals(),
                properties.routeCacheSize());
    }

    TranscriptIntake(
            TranscriptStore store,
            RouteCache routeCache,
            Delivery delivery,
            ResultMetrics metrics,
            DeadLetters deadLetters,
            PartitionHolds holds,
            WatcherDelivery watchers,
            int maxFinals,
            int remembered) {
        this.delivery = delivery;
        this.deadLetters = deadLetters;
        this.holds = holds;
        this.watchers = watchers;
        SessionRoutes routes = new SessionRoutes(routeCache, store);
        this.poisoned = new PoisonedSessions(store, routes, metrics, remembered);
        this.writer = new GroupWriter(store, routes, metrics, poisoned);
        this.dispatch = new EventDispatch(
                writer, routes, new Resumption(store, routes, metrics), watchers, store, metrics, maxFinals);
    }

    /** Another instance may have registered watching nodes while it held these partitions: read them back. */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        watchers.clearCache();
    }

    // batch: for this listener only (the factory stays record-based); group: RESULT_SERVICE_GROUP
    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.TRANSCRIPTS, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        settle(records, walk(new Poll(records, consumer, delivery, watchers, deadLetters)), consumer);
    }

    /** Without a consumer (unit tests): the partitions held, with the first offset of each to read again. */
    Map<TopicPartition, Long> onBatch(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, Long> held = walk(new Poll(records, null, delivery, watchers, deadLetters));
        settle(records, held, null);
        return held;
    }

    /** Handles the poll's records in order; returns the partitions held, with the first offset of each to read again. */
    private Map<TopicPartition, Long> walk(Poll poll) {
        for (int i = 0; i < poll.size(); i++) {
            poll.handling(i);
            ConsumerRecord<String, byte[]> record = poll.record(i);
            if (poll.waits(i)) {
                poll.hold(i, null); // read again later, after the failure that holds its partition
                continue;
            }
            PipelineEvent event;
            try {
                event = EventRecords.fromRecord(record);
            } catch (MalformedEventException e) {
                poison(poll, i, null, record.key(), e); // the key is the session's id, if a producer of ours sent it
                continue;
            }
            PoisonedSessionException refused = poisoned.refuses(event);
            if (refused != null) {
                poll.sends().deadLetter(i, refused);
                continue;
            }
            try {
                dispatch.handle(poll, event);
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    transientFailure(poll, i, e);
                } else {
                    poison(poll, i, event, event.sessionId(), e);
                }
            }
        }
        writer.write(poll);
        poll.sends().awaitAll();
        return poll.held();
    }

    /**
     * Record {@code index} failed and may pass later: what waits in the group (records before it) is written
     * and sent first, then its partition is held from it.
     */
    private void transientFailure(Poll poll, int index, RuntimeException cause) {
        log.debug("record {} of the poll failed transiently: {}", index, cause.toString());
        if (Failures.isDatabaseAway(cause)) {
            poll.databaseIsAway();
        }
        writer.write(poll);
        poll.hold(index, cause);
    }

    /** Record {@code index} is poison: what of its session waits in the group is written and sent first. */
    private void poison(Poll poll, int index, PipelineEvent event, String sessionId, RuntimeException cause) {
        if (sessionId != null && poll.group().has(sessionId)) {
            writer.write(poll);
        }
        poisoned.poison(poll, index, event, sessionId, cause);
    }

    /**
     * After a poll: each held partition sought back and paused for its back-off; every partition's offset committed
     * up to its first record not handled (all of them, for one not held). Without waiting for the broker: a lost
     * commit replays records the store takes idempotently.
     */
    private void settle(
            List<ConsumerRecord<String, byte[]>> records, Map<TopicPartition, Long> held, Consumer<?, ?> consumer) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) { // in offset order per partition: the last one wins
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            Long from = held.get(partition);
            commits.put(partition, new OffsetAndMetadata(from != null ? from : record.offset() + 1));
            if (from == null) {
                holds.passed(partition);
            }
        }
        held.forEach((partition, offset) -> {
            PartitionHolds.Hold hold = holds.hold(consumer, partition, offset);
            log.warn(
                    "{}@{} not handled (a transient failure), attempt {}: the partition waits {} ms, the others go on",
                    partition,
                    offset,
                    hold.attempt(),
                    hold.backOff().toMillis());
        });
        if (consumer != null && !commits.isEmpty()) {
            consumer.commitAsync(commits, (offsets, failure) -> {
                if (failure != null) {
                    log.debug(
                            "commit of {} failed (replayed after a rebalance, stored idempotently): {}",
                            offsets,
                            failure.toString());
                }
            });
        }
    }
}
