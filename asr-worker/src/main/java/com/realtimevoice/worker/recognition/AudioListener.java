package com.realtimevoice.worker.recognition;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
import org.springframework.kafka.core.KafkaTemplate;
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
 * session id. Returns only once Kafka has acknowledged every output. Offsets are committed here, not by the
 * container: at most up to the start of the oldest session still open on the partition ({@link CommitPositions}),
 * so whoever takes a partition over replays exactly the sessions that were not finished.
 */
@Component
class AudioListener implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(AudioListener.class);
    /** Commits are cheap but not free: at most this often per consumer. */
    private static final long COMMIT_INTERVAL_MS = 1000;

    private final SessionRecognizers recognizers;
    private final KafkaTemplate<String, byte[]> kafka;
    private final CommitPositions positions;
    private final long sendTimeoutMs;
    private final ThreadLocal<Long> lastCommit = ThreadLocal.withInitial(() -> 0L);

    AudioListener(SessionRecognizers recognizers, KafkaTemplate<String, byte[]> kafka, CommitPositions positions,
                  WorkerProperties properties) {
        this.recognizers = recognizers;
        this.kafka = kafka;
        this.positions = positions;
        this.sendTimeoutMs = properties.sendTimeout().toMillis();
    }

    /** Malformed records throw {@code MalformedEventException}: the error handler sends them to the dead-letter topic. */
    @KafkaListener(topics = Topics.AUDIO, concurrency = "${asr.worker.concurrency}")
    void onAudio(ConsumerRecord<String, byte[]> record, Consumer<?, ?> consumer) {
        PipelineEvent event = EventRecords.fromRecord(record);
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (event instanceof SessionStarted) {
            positions.opened(event.sessionId(), partition, record.offset());
        }
        List<PipelineEvent> outputs = recognizers.handle(event);
        publish(outputs);
        for (PipelineEvent out : outputs) {
            if (out instanceof SessionCompleted || out instanceof SessionFailed) {
                positions.released(out.sessionId());
            }
        }
        positions.processed(partition, record.offset());
        long now = System.currentTimeMillis();
        if (now - lastCommit.get() >= COMMIT_INTERVAL_MS) {
            commit(consumer, consumer.assignment());
            lastCommit.set(now);
        }
    }

    private void commit(Consumer<?, ?> consumer, java.util.Collection<TopicPartition> partitions) {
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
        if (outputs.isEmpty()) {
            return; // most chunks: nothing recognised yet
        }
        // One producer, one key: Kafka keeps these in order; waiting once for all of them is enough.
        CompletableFuture<?>[] sends = new CompletableFuture<?>[outputs.size()];
        for (int i = 0; i < sends.length; i++) {
            sends[i] = kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, outputs.get(i)));
        }
        try {
            CompletableFuture.allOf(sends).get(sendTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + Topics.TRANSCRIPTS, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + Topics.TRANSCRIPTS + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing to " + Topics.TRANSCRIPTS + " took over " + sendTimeoutMs + " ms", e);
        }
    }
}
