package com.realtimevoice.result.intake;

import java.nio.charset.StandardCharsets;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.ResultServiceProperties;

import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
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
     * Picked up by Boot's listener container factory. A record that cannot be decoded is dead-lettered at once;
     * anything else (database down, route not known yet, delivery timeout) is retried with back-off first.
     * Partition -1: the dead-letter topic need not have as many partitions as the source.
     * <p>
     * The transcripts listener is a batch listener and throws {@link BatchListenerFailedException} naming the
     * first record it could not handle: the handler commits the offsets before it, retries from it (re-polled
     * after the back-off) and, once the retries are spent, dead-letters that record alone and goes on with the
     * rest. The classification looks through the exception's causes, so a {@link MalformedEventException}
     * inside it is still dead-lettered at once.
     */
    @Bean
    DefaultErrorHandler transcriptsErrorHandler(KafkaTemplate<String, byte[]> template,
            ResultServiceProperties properties) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                (record, ex) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
        recoverer.addHeadersFunction((record, ex) -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(REASON_HEADER, reason(ex).getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        ResultServiceProperties.Retry retry = properties.retry();
        ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(retry.maxRetries());
        backOff.setInitialInterval(retry.initialInterval().toMillis());
        backOff.setMultiplier(retry.multiplier());
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler((record, ex) -> {
            // Said once, loudly: the record leaves the normal flow here (and can be replayed from the DLT).
            log.warn("dead-lettering {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(),
                    record.key(), reason(ex));
            recoverer.accept(record, ex);
        }, backOff);
        handler.addNotRetryableExceptions(MalformedEventException.class);
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
