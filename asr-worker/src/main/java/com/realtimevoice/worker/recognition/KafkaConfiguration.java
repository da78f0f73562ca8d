package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.kafka.AsyncDeadLetterPublisher;
import com.realtimevoice.worker.WorkerProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.util.backoff.FixedBackOff;

/** Topics this worker reads and writes, and what happens to records it cannot process. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class KafkaConfiguration {

    /** Short: a retry helps with a broker hiccup, and the partition's other sessions wait meanwhile. */
    static final long RETRY_INTERVAL_MS = 500;

    static final long RETRY_ATTEMPTS = 3;
    /** Added to every dead-lettered record: the root cause in one line (as the result service's dead letters). */
    static final String REASON_HEADER = "rv-dlt-reason";
    /** Poison dead letters sent and not yet answered, at most: a poll (100 records) and more. */
    static final int DEAD_LETTERS_IN_FLIGHT = 1000;

    @Bean
    NewTopic audioTopic(WorkerProperties properties) {
        return topic(Topics.AUDIO, properties).build();
    }

    @Bean
    NewTopic transcriptsTopic(WorkerProperties properties) {
        return topic(Topics.TRANSCRIPTS, properties).build();
    }

    /** One partition is plenty (records arrive there rarely, published with partition -1); kept for a month. */
    @Bean
    NewTopic audioDeadLetterTopic(WorkerProperties properties) {
        return TopicBuilder.name(Topics.deadLetter(Topics.AUDIO))
                .partitions(1)
                .replicas(properties.topics().replicationFactor())
                .config(
                        TopicConfig.RETENTION_MS_CONFIG,
                        String.valueOf(Duration.ofDays(30).toMillis()))
                .build();
    }

    /**
     * Sends records to {@code <topic>.dlt} with the reason in the standard {@code kafka_dlt-exception-*} headers and
     * in {@link #REASON_HEADER}. The listener sends poison at once without waiting (its commit flushes the producer
     * first, so no commit passes a dead letter the broker does not have); the error handler, after the retries of
     * anything else, waits for the broker.
     */
    @Bean
    AsyncDeadLetterPublisher audioDeadLetters(KafkaTemplate<String, byte[]> template) {
        AsyncDeadLetterPublisher recoverer = new AsyncDeadLetterPublisher(
                template,
                // partition -1: let Kafka choose, so the dead-letter topic needs no particular partition count
                (record, exception) -> new TopicPartition(Topics.deadLetter(record.topic()), -1),
                DEAD_LETTERS_IN_FLIGHT,
                Duration.ofSeconds(10));
        recoverer.addHeadersFunction((record, exception) -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(REASON_HEADER, reason(exception).getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        return recoverer;
    }

    /**
     * Boot applies this to the listener container factory. Poison (a record that cannot be decoded or does not
     * belong on the audio topic) never reaches it: the listener dead-letters it and fails its session itself, so
     * nothing is re-polled for it. Anything else is retried briefly, then goes to {@code <topic>.dlt} too.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler(AsyncDeadLetterPublisher audioDeadLetters) {
        return errorHandler(audioDeadLetters);
    }

    static DefaultErrorHandler errorHandler(ConsumerRecordRecoverer recoverer) {
        DefaultErrorHandler handler =
                new DefaultErrorHandler(recoverer, new FixedBackOff(RETRY_INTERVAL_MS, RETRY_ATTEMPTS));
        handler.addNotRetryableExceptions(MalformedEventException.class);
        // Offsets are committed by AudioListener only, never past an open session's start: a dead-lettered record
        // must not move the commit there either.
        handler.setAckAfterHandle(false);
        // A retry is expected, not an error: the container would log each one as "Error handler threw an exception"
        // with a stack trace.
        handler.setLogLevel(KafkaException.Level.DEBUG);
        return handler;
    }

    /**
     * Boot sets this on the listener container factory: the audio listener commits with its freshest replay points
     * before a partition is handed over, and reads them back when one is assigned.
     */
    @Bean
    org.springframework.kafka.listener.ConsumerAwareRebalanceListener audioHandover(AudioListener listener) {
        return new org.springframework.kafka.listener.ConsumerAwareRebalanceListener() {
            @Override
            public void onPartitionsRevokedBeforeCommit(
                    org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                    java.util.Collection<TopicPartition> partitions) {
                listener.beforeRevoke(consumer, partitions);
            }

            @Override
            public void onPartitionsAssigned(
                    org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                    java.util.Collection<TopicPartition> partitions) {
                listener.afterAssign(consumer, partitions);
            }
        };
    }

    /** The root cause in one line. */
    static String reason(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static TopicBuilder topic(String name, WorkerProperties properties) {
        return TopicBuilder.name(name)
                .partitions(properties.topics().partitions())
                .replicas(properties.topics().replicationFactor());
    }
}
