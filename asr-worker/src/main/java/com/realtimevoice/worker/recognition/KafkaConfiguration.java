package com.realtimevoice.worker.recognition;

import java.time.Duration;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.util.backoff.FixedBackOff;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.worker.WorkerProperties;

/** Topics this worker reads and writes, and what happens to records it cannot process. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class KafkaConfiguration {

    /** Short: a retry helps with a broker hiccup, and the partition's other sessions wait meanwhile. */
    static final long RETRY_INTERVAL_MS = 500;
    static final long RETRY_ATTEMPTS = 3;

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
                .config(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(30).toMillis()))
                .build();
    }

    /**
     * Boot applies this to the listener container factory. Records that cannot be decoded go straight to
     * {@code <topic>.dlt} (retrying cannot fix them); other failures are retried briefly, then go there too.
     * The reason travels in the standard {@code kafka_dlt-exception-*} headers.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler(KafkaTemplate<String, byte[]> template) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                // partition -1: let Kafka choose, so the dead-letter topic needs no particular partition count
                (record, exception) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
        return errorHandler(recoverer);
    }

    static DefaultErrorHandler errorHandler(ConsumerRecordRecoverer recoverer) {
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, new FixedBackOff(RETRY_INTERVAL_MS, RETRY_ATTEMPTS));
        handler.addNotRetryableExceptions(MalformedEventException.class);
        // Offsets are committed by AudioListener only, never past an open session's start: a dead-lettered record
        // must not move the commit there either.
        handler.setAckAfterHandle(false);
        return handler;
    }

    private static TopicBuilder topic(String name, WorkerProperties properties) {
        return TopicBuilder.name(name)
                .partitions(properties.topics().partitions())
                .replicas(properties.topics().replicationFactor());
    }
}
