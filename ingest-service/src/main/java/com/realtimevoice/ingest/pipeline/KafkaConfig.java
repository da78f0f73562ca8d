package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.kafka.AsyncDeadLetterPublisher;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    @Bean
    NewTopic audioTopic(IngestProperties properties) {
        return TopicBuilder.name(Topics.AUDIO)
                .partitions(properties.kafka().audioPartitions())
                .replicas(properties.kafka().replicationFactor())
                .build();
    }

    /** This node's own delivery topic, created at start so result-service can route to it at once. */
    @Bean
    KafkaAdmin.NewTopics deliveryTopics(IngestNode node, IngestProperties properties) {
        return new KafkaAdmin.NewTopics(
                TopicBuilder.name(node.deliveryTopic())
                        .partitions(properties.kafka().deliveryPartitions())
                        .replicas(properties.kafka().replicationFactor())
                        .build(),
                TopicBuilder.name(Topics.deadLetter(node.deliveryTopic()))
                        .partitions(1)
                        .replicas(properties.kafka().replicationFactor())
                        .build());
    }

    /**
     * A delivery's dead-letter topic, with the reason in its headers. {@link DeliveryListener} sends poison without
     * waiting (at most {@link #DEAD_LETTERS_IN_FLIGHT} unanswered); the error handler waits.
     */
    @Bean
    AsyncDeadLetterPublisher deliveryDeadLetters(KafkaTemplate<String, byte[]> template) {
        return new AsyncDeadLetterPublisher(
                template,
                (record, e) -> new TopicPartition(Topics.deadLetter(record.topic()), -1),
                DEAD_LETTERS_IN_FLIGHT,
                Duration.ofSeconds(5));
    }

    static final int DEAD_LETTERS_IN_FLIGHT = 500;

    /**
     * Undecodable deliveries are dead-lettered by {@link DeliveryListener} itself; what reaches this handler is
     * retried first, then dead-lettered.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler(AsyncDeadLetterPublisher deliveryDeadLetters) {
        DefaultErrorHandler handler = new DefaultErrorHandler(deliveryDeadLetters, new FixedBackOff(500, 3));
        handler.addNotRetryableExceptions(MalformedEventException.class, IllegalArgumentException.class);
        return handler;
    }

    /**
     * The delivery listener commits its offsets (every 100 ms, {@code ack-mode: time}) without waiting for the
     * broker's answer. A synchronous commit per poll took ~7 ms under load (the group coordinator writes the
     * offsets like a record), and every result behind it on the partition waited that long. Nothing is lost either way: offsets are still committed only
     * after the poll's results went to their sockets, and a lost commit means results re-sent after a rebalance,
     * which the contract allows (a final may come again with the same index; clients keep the last).
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> asyncCommits() {
        return container -> container.getContainerProperties().setSyncCommits(false);
    }
}
