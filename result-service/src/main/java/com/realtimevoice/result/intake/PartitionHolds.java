package com.realtimevoice.result.intake;

import com.realtimevoice.result.ResultServiceProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Partitions of the transcripts topic held back after a transient failure (issue 18): the partition is sought back
 * to its first record not handled and paused for a back-off ({@code result-service.retry}: 0.5 s, x2, at most 10 s),
 * then read again from there, for as long as the failure lasts. Only that partition waits: the consumer goes on
 * polling its other partitions, and nothing transient is dead-lettered. One per service, for every listener
 * thread (each holds its own partitions); the attempt count is per partition and starts again once one of its
 * records goes through.
 */
@Component
class PartitionHolds implements DisposableBean {

    private final ResultServiceProperties.Retry retry;
    /** Null in unit tests, where nothing polls. */
    private final KafkaListenerEndpointRegistry registry;

    private final Map<TopicPartition, Integer> attempts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService resumer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "intake-resume");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    PartitionHolds(ResultServiceProperties properties, KafkaListenerEndpointRegistry registry) {
        this(properties.retry(), registry);
    }

    PartitionHolds(ResultServiceProperties.Retry retry, KafkaListenerEndpointRegistry registry) {
        this.retry = retry;
        this.registry = registry;
    }

    /**
     * On the consumer thread: {@code partition} is read again from {@code offset} after the back-off of its next
     * attempt, which is returned. The caller commits no further than {@code offset} on it.
     */
    Hold hold(Consumer<?, ?> consumer, TopicPartition partition, long offset) {
        int attempt = attempts.merge(partition, 1, Integer::sum);
        Duration backOff = backOff(attempt);
        if (consumer != null) {
            consumer.seek(partition, offset); // what was fetched past it is dropped
        }
        MessageListenerContainer container =
                registry == null ? null : registry.getListenerContainer(TranscriptIntake.LISTENER_ID);
        if (container != null) {
            container.pausePartition(partition); // before the next poll
            resumer.schedule(() -> container.resumePartition(partition), backOff.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new Hold(attempt, backOff);
    }

    /** A record of {@code partition} went through: its next failure starts the back-off again. */
    void passed(TopicPartition partition) {
        attempts.remove(partition);
    }

    /** The wait before attempt {@code attempt} (1 = the first retry). */
    Duration backOff(int attempt) {
        double millis = retry.initialInterval().toMillis() * Math.pow(retry.multiplier(), Math.min(attempt - 1, 60));
        return Duration.ofMillis((long) Math.min(millis, retry.maxInterval().toMillis()));
    }

    @Override
    public void destroy() {
        resumer.shutdownNow();
    }

    /** The attempt this hold is for, and how long the partition waits. */
    record Hold(int attempt, Duration backOff) {}
}
