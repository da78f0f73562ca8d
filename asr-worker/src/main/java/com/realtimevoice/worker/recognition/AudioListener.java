package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.kafka.AsyncDeadLetterPublisher;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Consumes the audio topic and publishes what the worker's sessions ({@link WorkerSessions}) make of it on the
 * transcripts topic, keyed by session id. The listener thread decodes each record and dispatches it to its session's lane on the engine pool
 * ({@link SessionLanes}); the lane recognises it and sends the outputs without waiting (one producer, one key per
 * session: Kafka keeps their order). Offsets are committed here, not by the container, only after the producer has
 * flushed every output sent so far, and at most up to the start of the oldest session still open on the partition
 * or the oldest record still being recognised ({@link CommitPositions}), so whoever takes a partition over replays
 * exactly the sessions that were not finished.
 *
 * <p>Not waiting per record is what lets one consumer thread carry thousands of chunks a second, and not
 * recognising on it is what keeps one session's slow recognition from delaying the others of its partition.
 */
@Component
class AudioListener implements ConsumerSeekAware {

    static final String LISTENER_ID = "asr-audio";

    private static final Logger log = LoggerFactory.getLogger(AudioListener.class);
    /** Commits (each after a producer flush) are cheap but not free: at most this often per consumer. */
    private static final long COMMIT_INTERVAL_MS = 1000;
    /** How long a revoke waits for the partition's records on the engine pool (well within the rebalance timeout). */
    private static final long REVOKE_WAIT_MS = 20_000;
    /** Reading the last commit's replay points on assignment: a broker round trip; without them, a longer replay. */
    private static final java.time.Duration INHERIT_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final WorkerSessions sessions;
    private final SessionLanes lanes;
    private final KafkaTemplate<String, byte[]> kafka;
    private final CommitPositions positions;
    private final RecognitionMetrics metrics;
    private final KafkaListenerEndpointRegistry registry;
    private final ObservationRegistry observations;
    private final AsyncDeadLetterPublisher deadLetters;
    private final ThreadLocal<Long> lastCommit = ThreadLocal.withInitial(() -> 0L);
    /** Set when an output could not be published: nothing is committed until the consumer restarted and replayed. */
    private final AtomicReference<Throwable> publishFailure = new AtomicReference<>();

    AudioListener(
            WorkerSessions sessions,
            SessionLanes lanes,
            KafkaTemplate<String, byte[]> kafka,
            CommitPositions positions,
            RecognitionMetrics metrics,
            KafkaListenerEndpointRegistry registry,
            ObservationRegistry observations,
            AsyncDeadLetterPublisher deadLetters) {
        this.observations = observations;
        this.deadLetters = deadLetters;
        this.sessions = sessions;
        this.lanes = lanes;
        this.kafka = kafka;
        this.positions = positions;
        this.metrics = metrics;
        this.registry = registry;
    }

    /**
     * Poison (a record that cannot be decoded, or an event that does not belong on the audio topic) is dead-lettered
     * here, at once, and the session it is keyed by fails on its lane ({@code UNPROCESSABLE}, after what came before
     * it): thrown to the error handler it would re-poll the rest of the poll, every partition's, for nothing.
     */
    @KafkaListener(
            id = LISTENER_ID,
            idIsGroup = false,
            topics = Topics.AUDIO,
            concurrency = "${asr.worker.concurrency}")
    void onAudio(ConsumerRecord<String, byte[]> record, Consumer<?, ?> consumer) throws InterruptedException {
        if (publishFailure.get() != null) {
            return; // not processed, not committed: the restart that is under way replays it
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        long offset = record.offset();
        PipelineEvent event;
        try {
            event = EventRecords.fromRecord(record);
            WorkerSessions.checkBelongsOnAudio(event);
        } catch (MalformedEventException e) {
            // Not awaited here (a broker round trip per record would hold every partition of this consumer); the
            // commit flushes the producer first, and a dead letter the broker refused stops commits and replays,
            // as a failed output does.
            log.warn(
                    "dead-lettering {}-{}@{} (key {}): {}",
                    record.topic(),
                    record.partition(),
                    offset,
                    record.key(),
                    KafkaConfiguration.reason(e));
            deadLetters.send(record, consumer, e).whenComplete((sent, failure) -> {
                if (failure != null) {
                    publishFailed(
                            "the dead letter of " + partition + "@" + offset, Topics.deadLetter(Topics.AUDIO), failure);
                }
            });
            metrics.error("DEAD_LETTERED");
            if (record.key() != null) {
                String sessionId = record.key();
                dispatch(sessionId, partition, offset, () -> sessions.poisoned(sessionId, e.getMessage()));
            }
            maybeCommit(consumer);
            return;
        }
        if (event instanceof SessionResumed) {
            forwardResume(event);
        }
        ReplayPoint from = null;
        if (event instanceof SessionStarted) {
            positions.opened(Thread.currentThread(), event.sessionId(), partition, offset);
            from = positions.takeInherited(Thread.currentThread(), event.sessionId(), partition);
        }
        ReplayPoint resumeAt = from;
        dispatch(event.sessionId(), partition, offset, () -> sessions.handle(event, offset, resumeAt));
        maybeCommit(consumer);
    }

    /**
     * A consumer with no records for ASR_WORKER_IDLE_COMMIT_INTERVAL commits what its lanes finished since its last
     * record (commits otherwise happen only as records arrive, so the last sessions before a quiet spell would be
     * replayed after every restart). Published on the consumer's own thread, which owns its commit positions.
     */
    @EventListener
    void onIdle(org.springframework.kafka.event.ListenerContainerIdleEvent idle) {
        if (idle.getListenerId() != null
                && idle.getListenerId().startsWith(LISTENER_ID)
                && publishFailure.get() == null) {
            commit(idle.getConsumer(), idle.getConsumer().assignment());
            lastCommit.set(System.currentTimeMillis());
        }
    }

    /** At start, in the background: the first poison then neither creates the producer nor waits for metadata. */
    @EventListener(ApplicationReadyEvent.class)
    void warmUpDeadLetters() {
        deadLetters.warmUp(List.of(Topics.deadLetter(Topics.AUDIO)));
    }

    /** Runs {@code work} on the session's lane, in order with its other records. */
    private void dispatch(
            String sessionId,
            TopicPartition partition,
            long offset,
            java.util.function.Supplier<List<PipelineEvent>> work)
            throws InterruptedException {
        int epoch = positions.dispatched(Thread.currentThread(), partition, offset); // the consumer is its thread
        // The record's observation (its span, continuing the trace it came with) is this thread's; the outputs are
        // sent from the lane, in its scope, so that they continue that trace.
        Observation observed = observations.getCurrentObservation();
        try {
            lanes.submit(sessionId, () -> {
                if (observed == null) {
                    recognise(sessionId, work, partition, offset, epoch);
                } else {
                    try (Observation.Scope scope = observed.openScope()) {
                        recognise(sessionId, work, partition, offset, epoch);
                    }
                }
            });
        } catch (InterruptedException e) {
            positions.finished(
                    partition, offset, epoch); // not queued; the listener is stopping and nothing is committed past it
            throw e;
        }
    }

    private void maybeCommit(Consumer<?, ?> consumer) {
        long now = System.currentTimeMillis();
        if (now - lastCommit.get() >= COMMIT_INTERVAL_MS) {
            commit(consumer, consumer.assignment());
            lastCommit.set(now);
        }
    }

    /** On the session's lane. */
    private void recognise(
            String sessionId,
            java.util.function.Supplier<List<PipelineEvent>> work,
            TopicPartition partition,
            long offset,
            int epoch) {
        try {
            // Skipped when the partition moved away meanwhile (its new owner replays it) or a replay is under way.
            if (publishFailure.get() == null && positions.current(partition, epoch)) {
                List<PipelineEvent> outputs;
                try {
                    outputs = work.get();
                } catch (
                        RuntimeException
                                e) { // engine failures are outputs already: this is a bug; fail the session loudly
                    log.error("Session {}: cannot handle record {}@{}", sessionId, partition, offset, e);
                    outputs = sessions.internalFailure(sessionId, e);
                }
                publish(outputs, partition, epoch);
                // after the sends: the commit that carries the point flushes them first
                positions.progressed(sessionId, partition, epoch, sessions.replayPoint(sessionId));
                if (!sessions.isOpen(sessionId)) {
                    lanes.closed(sessionId); // its thread can take a new session
                }
            }
        } finally {
            positions.finished(partition, offset, epoch);
        }
    }

    private void commit(Consumer<?, ?> consumer, java.util.Collection<TopicPartition> partitions) {
        // Taken before the flush: every record it covers had its outputs sent before the flush began.
        Map<TopicPartition, OffsetAndMetadata> safe = positions.safeOffsets(Thread.currentThread(), partitions);
        kafka.flush(); // every output of what was recognised is on the broker (or has failed) before its offset moves
        if (publishFailure.get() != null || safe.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(safe);
        } catch (org.apache.kafka.common.errors.RebalanceInProgressException
                | org.apache.kafka.clients.consumer.CommitFailedException e) {
            // The partitions are moving: whoever gets them replays from the last commit; nothing is lost.
            log.info("commit skipped while the group rebalances: {}", e.getMessage());
        }
    }

    /**
     * A partition taken away (rebalance, or this worker stalled past max.poll.interval.ms): its sessions belong to
     * the new owner, which replays them; keeping their recognizers here would only produce stale duplicates.
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        // Those another consumer of this worker holds already (this one was fenced late) are that one's now.
        List<TopicPartition> partitions = positions.heldBy(Thread.currentThread(), revoked);
        if (partitions.isEmpty()) {
            return;
        }
        // Let what is being recognised finish first, so that no late output of a dropped recognizer goes out.
        try {
            if (!positions.awaitFinished(partitions, REVOKE_WAIT_MS)) {
                log.warn(
                        "{}: recognition still running after {} ms; dropping its sessions anyway",
                        partitions,
                        REVOKE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (TopicPartition p : partitions) {
            Set<String> moved = positions.forget(Thread.currentThread(), p);
            drop(moved);
            if (!moved.isEmpty()) {
                log.info("{} moved away with {} open session(s); the new owner replays them", p, moved.size());
            }
        }
    }

    /**
     * Runs on the consumer thread. A partition that another consumer of this worker held (and may not know yet that it
     * lost) is this one's from here: what the other built of it is dropped, this one replays from the last commit.
     */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        for (TopicPartition p : assignments.keySet()) {
            Set<String> stale = positions.assigned(Thread.currentThread(), p);
            drop(stale);
            if (!stale.isEmpty()) {
                log.info(
                        "{} came from another consumer of this worker with {} open session(s); replaying them",
                        p,
                        stale.size());
            }
        }
    }

    /**
     * A graceful handover (a rebalance, a SIGTERM): before the partitions go, what their lanes finished is committed,
     * with the freshest replay points, so that the next holder recognises as little audio again as possible. Runs on
     * the consumer thread before {@link #onPartitionsRevoked}, which then drops the sessions.
     */
    void beforeRevoke(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        List<TopicPartition> partitions = positions.heldBy(Thread.currentThread(), revoked);
        if (partitions.isEmpty() || publishFailure.get() != null) {
            return;
        }
        try {
            positions.awaitFinished(partitions, REVOKE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            commit(consumer, partitions);
        } catch (org.apache.kafka.common.KafkaException e) {
            // only a shortcut is lost: the next holder replays from the last commit
            log.info("no commit before handing over {}: {}", partitions, e.getMessage());
        }
    }

    /**
     * Partitions assigned to this consumer (after {@link #onPartitionsAssigned}): the replay points their last holder
     * left in its commit's metadata, so that the sessions it had are resumed there rather than at their start.
     */
    void afterAssign(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        List<TopicPartition> partitions = positions.heldBy(Thread.currentThread(), assigned);
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(new java.util.HashSet<>(partitions), INHERIT_TIMEOUT);
        } catch (org.apache.kafka.common.KafkaException e) {
            log.info(
                    "replay points of {} not read ({}): their open sessions replay from their start",
                    partitions,
                    e.getMessage());
            return;
        }
        int points = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
            if (c.getValue() != null && !c.getValue().metadata().isEmpty()) {
                points += positions.inherit(
                        Thread.currentThread(), c.getKey(), c.getValue().metadata());
            }
        }
        if (points > 0) {
            log.info("{}: {} open session(s) resume at the replay point their last holder left", partitions, points);
        }
    }

    /** Sessions whose records another consumer replays now: their recognizers go, and their threads take others. */
    private void drop(Set<String> moved) {
        sessions.drop(moved);
        moved.forEach(lanes::closed);
    }

    /**
     * A resume goes to result-service as soon as it is read, not behind the audio its session still has queued on
     * the lane (seconds of it when recognition runs behind): the client is on its new node already, and whatever
     * that audio yields belongs there too. Before this, results kept going to the node the client had left (lost
     * there) until the lane reached the resume. Forwarded in any case: for a session finished or unknown here,
     * result-service answers from what it stored. Sent on this thread before any later output of the session,
     * and flushed before a commit passes it, like the lanes' outputs.
     */
    private void forwardResume(PipelineEvent resumed) {
        kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, resumed)).whenComplete((result, failure) -> {
            if (failure != null) {
                publishFailed(resumed, Topics.TRANSCRIPTS, failure);
            }
        });
    }

    private void publish(List<PipelineEvent> outputs, TopicPartition partition, int epoch) {
        for (PipelineEvent out : outputs) { // most chunks: none, nothing recognised yet
            boolean last = out instanceof SessionCompleted || out instanceof SessionFailed;
            kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, out)).whenComplete((result, failure) -> {
                if (failure != null) {
                    publishFailed(out, Topics.TRANSCRIPTS, failure);
                } else if (last) {
                    positions.released(
                            out.sessionId(), partition, epoch); // its last output is out: no replay needed any more
                }
            });
        }
    }

    /**
     * The producer gave up on an output or a dead letter (the broker away past delivery.timeout.ms, or refused it).
     * Its offset was never committed:
     * the consumer is restarted, which drops this worker's recognizers and replays the open sessions from their
     * start, exactly as a takeover by another worker would, and the output comes again under the same index.
     */
    private void publishFailed(Object out, String topic, Throwable failure) {
        metrics.error("PUBLISH_FAILED");
        if (!publishFailure.compareAndSet(null, failure)) {
            return;
        }
        log.error(
                "could not publish {} to {}: {}; restarting the audio consumer to replay open sessions",
                out,
                topic,
                failure.getMessage());
        MessageListenerContainer container = registry.getListenerContainer(LISTENER_ID);
        Thread restart = new Thread(
                () -> {
                    if (container != null) {
                        container.stop(); // revokes every partition: recognizers dropped (onPartitionsRevoked)
                    }
                    publishFailure.set(null);
                    if (container != null) {
                        container.start();
                    }
                },
                "asr-audio-restart");
        restart.setDaemon(true);
        restart.start();
    }
}
