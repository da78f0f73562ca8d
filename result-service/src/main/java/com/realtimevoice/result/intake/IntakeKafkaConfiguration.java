package com.realtimevoice.result.intake;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.ResultServiceProperties;

import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;

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
     * Picked up by Boot's listener container factory; only transient failures reach it. The transcripts listener
     * classifies what fails ({@link Failures}): poison (a record that cannot be decoded, a value the database
     * refuses, a session with no stored start) it dead-letters itself, at once, and goes on with the poll; a
     * transient failure (database or broker away, timeouts, deadlocks) it throws as a
     * {@link BatchListenerFailedException} naming the first record not handled. This handler commits the offsets
     * before that record, re-polls from it after the back-off and, once the retries are spent, dead-letters it
     * alone ({@link DeadLetters}) and goes on with the rest. {@link MalformedEventException} stays not retryable
     * here for a record listener or a failure that names no record.
     * <p>
     * Each failed attempt is one WARN line (the retry listener); the handler's own "Seek to current after
     * exception", logged by the container as "Error handler threw an exception" with a stack trace each time, is
     * kept at DEBUG: a retry is expected, not an error.
     */
    @Bean
    DefaultErrorHandler transcriptsErrorHandler(DeadLetters deadLetters, ResultServiceProperties properties) {
        ResultServiceProperties.Retry retry = properties.retry();
        ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(retry.maxRetries());
        backOff.setInitialInterval(retry.initialInterval().toMillis());
        backOff.setMultiplier(retry.multiplier());
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (ConsumerAwareRecordRecoverer) deadLetters::retriesExhausted, backOff);
        handler.addNotRetryableExceptions(MalformedEventException.class);
        handler.setLogLevel(KafkaException.Level.DEBUG);
        handler.setRetryListeners((record, ex, attempt) -> log.warn(
                "{}-{}@{} (key {}) failed, attempt {}; retrying after a back-off: {}", record.topic(),
                record.partition(), record.offset(), record.key(), attempt, reason(ex)));
        return handler;
    }

    /**
     * Offsets are committed (every 100 ms, {@code ack-mode: time}) without waiting for the broker's answer. A
     * synchronous commit per poll took ~7 ms under load (the group coordinator writes the offsets like a record), a third of a poll's cycle, and every
     * final arriving meanwhile waited for it. What is committed is unchanged: only offsets whose records were
     * stored and delivered. A commit that is lost replays those records after a rebalance; the store is
     * idempotent per (session, index) and a replayed completion is not re-sent, as after any takeover.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> asyncCommits() {
        return container -> container.getContainerProperties().setSyncCommits(false);
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
