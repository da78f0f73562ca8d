package com.realtimevoice.worker.recognition;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.worker.WorkerProperties;

/**
 * Consumes the audio topic and publishes what the recognizers make of it on the transcripts topic, keyed by
 * session id. Outputs are sent without waiting (one producer, one key per session: Kafka keeps their order), and
 * offsets are committed here, not by the container, only after the producer has flushed every output sent so far,
 * and at most up to the start of the oldest session still open on the partition ({@link CommitPositions}), so
 * whoever takes a partition over replays exactly the sessions that were not finished.
 *
 * <p>Not waiting per record is what lets one consumer thread carry thousands of chunks a second: a wait costs a
 * broker round trip (plus linger.ms) for every record that produced a partial or a final.
 */
@Component
class AudioListener implements ConsumerSeekAware {

    static final String LISTENER_ID = "asr-audio";

    private static final Logger log = LoggerFactory.getLogger(AudioListener.class);
    /** Commits (each after a producer flush) are cheap but not free: at most this often per consumer. */
    private static final long COMMIT_INTERVAL_MS = 1000;

    private final SessionRecognizers recognizers;
    private final KafkaTemplate<String, byte[]> kafka;
    private final CommitPositions positions;
    private final RecognitionMetrics metrics;
    private final KafkaListenerEndpointRegistry registry;
    private final ThreadLocal<Long> lastCommit = ThreadLocal.withInitial(() -> 0L);
    /** Set when an output could not be published: nothing is committed until the consumer restarted and replayed. */
    private final AtomicReference<Throwable> publishFailure = new AtomicReference<>();

    AudioListener(SessionRecognizers recognizers, KafkaTemplate<String, byte[]> kafka, CommitPositions positions,
                  RecognitionMetrics metrics, KafkaListenerEndpointRegistry registry) {
        this.recognizers = recognizers;
        this.kafka = kafka;
        this.positions = positions;
        this.metrics = metrics;
        this.registry = registry;
    }

    /** Malformed records throw {@code MalformedEventException}: the error handler sends them to the dead-letter topic. */
    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.AUDIO, concurrency = "${asr.worker.concurrency}")
    void onAudio(ConsumerRecord<String, byte[]> record, Consumer<?, ?> consumer) {
        if (publishFailure.get() != null) {
            return; // not processed, not committed: the restart that is under way replays it
        }
        PipelineEvent event = EventRecords.fromRecord(record);
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (event instanceof SessionStarted) {
            positions.opened(event.sessionId(), partition, record.offset());
        }
        publish(recognizers.handle(event));
        positions.processed(partition, record.offset());
        long now = System.currentTimeMillis();
        if (now - lastCommit.get() >= COMMIT_INTERVAL_MS) {
            commit(consumer, consumer.assignment());
            lastCommit.set(now);
        }
    }

    private void commit(Consumer<?, ?> consumer, java.util.Collection<TopicPartition> partitions) {
        kafka.flush(); // every output of what was processed is on the broker (or has failed) before its offset moves
        if (publishFailure.get() != null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> safe = positions.safeOffsets(partitions);
        if (!safe.isEmpty()) {
            try {
                consumer.commitSync(safe);
            } catch (org.apache.kafka.common.errors.RebalanceInProgressException
                     | org.apache.kafka.clients.consumer.CommitFailedException e) {
                // The partitions are moving: whoever gets them replays from the last commit; nothing is lost.
                log.info("commit skipped while the group rebalances: {}", e.getMessage());
            }
        }
    }

    /**
     * A partition taken away (rebalance, or this worker stalled past max.poll.interval.ms): its sessions belong to
     * the new owner, which replays them; keeping their recognizers here would only produce stale duplicates.
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            Set<String> sessions = positions.forget(p);
            recognizers.drop(sessions);
            if (!sessions.isEmpty()) {
                log.info("{} moved away with {} open session(s); the new owner replays them", p, sessions.size());
            }
        }
    }

    private void publish(List<PipelineEvent> outputs) {
        for (PipelineEvent out : outputs) { // most chunks: none, nothing recognised yet
            boolean last = out instanceof SessionCompleted || out instanceof SessionFailed;
            kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, out)).whenComplete((result, failure) -> {
                if (failure != null) {
                    publishFailed(out, failure);
                } else if (last) {
                    positions.released(out.sessionId()); // its last output is out: no replay needed any more
                }
            });
        }
    }

    /**
     * The producer gave up on an output (the broker away past delivery.timeout.ms). Its offset was never committed:
     * the consumer is restarted, which drops this worker's recognizers and replays the open sessions from their
     * start, exactly as a takeover by another worker would, and the output comes again under the same index.
     */
    private void publishFailed(PipelineEvent out, Throwable failure) {
        metrics.error("PUBLISH_FAILED");
        if (!publishFailure.compareAndSet(null, failure)) {
            return;
        }
        log.error("could not publish {} to {}: {}; restarting the audio consumer to replay open sessions", out,
                Topics.TRANSCRIPTS, failure.getMessage());
        MessageListenerContainer container = registry.getListenerContainer(LISTENER_ID);
        Thread restart = new Thread(() -> {
            if (container != null) {
                container.stop(); // revokes every partition: recognizers dropped (onPartitionsRevoked)
            }
            publishFailure.set(null);
            if (container != null) {
                container.start();
            }
        }, "asr-audio-restart");
        restart.setDaemon(true);
        restart.start();
    }
}
