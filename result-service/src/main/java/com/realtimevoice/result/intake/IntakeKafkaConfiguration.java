package com.realtimevoice.result.intake;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.ResultServiceProperties;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
class IntakeKafkaConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IntakeKafkaConfiguration.class);

    /** Added to every dead-lettered record: the root cause in one line, next to Spring's kafka_dlt-* headers. */
    static final String REASON_HEADER = "rv-dlt-reason";

    @Bean
    NewTopic transcriptsTopic(ResultServiceProperties properties) {
        return TopicBuilder.name(Topics.TRANSCRIPTS)
                .partitions(properties.topicPartitions())
                .replicas(properties.replicationFactor())
                .build();
    }

    @Bean
    NewTopic transcriptsDeadLetterTopic(ResultServiceProperties properties) {
        return TopicBuilder.name(Topics.deadLetter(Topics.TRANSCRIPTS))
                .partitions(properties.topicPartitions())
                .replicas(properties.replicationFactor())
                .build();
    }

    @Bean
    RouteCache routeCache(ResultServiceProperties properties) {
        return new RouteCache(properties.routeCacheSize());
    }

    /**
     * Picked up by Boot's listener container factory. The transcripts listener classifies what fails itself
     * ({@link Failures}): poison it dead-letters at once and goes on with the poll; a transient failure holds only
     * that record's partition ({@link PartitionHolds}). Neither reaches this handler: only what escapes the
     * listener (a bug) does, and it is retried twice, then dead-lettered ({@link DeadLetters}).
     * {@link MalformedEventException} is not retried. Each failed attempt is one WARN line; the container's own
     * "Error handler threw an exception", with a stack trace each time, is kept at DEBUG.
     */
    @Bean
    DefaultErrorHandler transcriptsErrorHandler(DeadLetters deadLetters, ResultServiceProperties properties) {
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (ConsumerAwareRecordRecoverer) deadLetters::retriesExhausted,
                new FixedBackOff(properties.retry().initialInterval().toMillis(), 2));
        handler.addNotRetryableExceptions(MalformedEventException.class);
        handler.setLogLevel(KafkaException.Level.DEBUG);
        handler.setRetryListeners((record, ex, attempt) -> log.warn(
                "{}-{}@{} (key {}) failed, attempt {}; retrying after a back-off: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                attempt,
                reason(ex)));
        return handler;
    }

    static String reason(Throwable ex) {
        Throwable cause = ex;
        while ((cause instanceof ListenerExecutionFailedException || cause instanceof BatchListenerFailedException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
