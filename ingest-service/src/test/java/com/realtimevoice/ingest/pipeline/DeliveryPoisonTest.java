package com.realtimevoice.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.ingest.config.IngestNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * Poison on this node's delivery topic (issue 18): dead-lettered by the listener itself, never thrown to the
 * container's error handler, which would seek the poll's partitions back and re-poll them once per poison record
 * while every other session's results wait behind it.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "ingest.node-id=poison-test"})
@EmbeddedKafka(partitions = 2, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class DeliveryPoisonTest {

    @Autowired
    DeliveryListener listener;

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Autowired
    IngestNode node;

    @Autowired
    MeterRegistry meters;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Test
    void poisonIsDeadLetteredByTheListenerWithoutReachingTheErrorHandler() throws Exception {
        List<ProducerRecord<String, byte[]>> poison = poison(node.deliveryTopic(), "a-poisoned-session");
        // Handled in the listener: nothing is thrown to the container (whose error handler re-polls the partitions).
        for (ProducerRecord<String, byte[]> r : poison) {
            listener.onResult(
                    new ConsumerRecord<>(r.topic(), 0, 0, r.key(), r.value()) {
                        {
                            r.headers().forEach(h -> headers().add(h));
                        }
                    },
                    null);
        }
        // and through the running container
        for (ProducerRecord<String, byte[]> r : poison) {
            kafka.send(r).get();
        }

        assertThat(deadLettered(Topics.deadLetter(node.deliveryTopic()), 2 * poison.size()))
                .hasSize(2 * poison.size());
        // counted when the broker's answer reaches the producer (the listener does not wait for it)
        long deadline = System.currentTimeMillis() + 5000;
        while (meters.counter("ingest.deliveries", "result", "dead_lettered").count() < 2.0 * poison.size()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(meters.counter("ingest.deliveries", "result", "dead_lettered")
                        .count())
                .isEqualTo(2.0 * poison.size());
    }

    private static List<ProducerRecord<String, byte[]>> poison(String topic, String key) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        out.add(new ProducerRecord<>(topic, key, new byte[] {(byte) 0xde, (byte) 0xad})); // no headers
        out.add(typed(topic, key, "transcript.final", "{\"sessionId\":".getBytes(StandardCharsets.UTF_8))); // not JSON
        out.add(typed(topic, key, "no.such.event", "{}".getBytes(StandardCharsets.UTF_8)));
        out.add(typed(topic, key, "transcript.final", null)); // a tombstone
        out.add(typed(
                topic, key, "session.started", ("{\"sessionId\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static ProducerRecord<String, byte[]> typed(String topic, String key, String type, byte[] value) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        r.headers().add(EventHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.SESSION_ID, key.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** The dead-letter topic's records, read until there are {@code expected} (and a moment more) or 20 s passed. */
    private List<ConsumerRecord<String, byte[]>> deadLettered(String topic, int expected) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.getBrokersAsString(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlt-reader-" + System.nanoTime(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long until = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < until && out.size() < expected) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            c.poll(Duration.ofMillis(500)).forEach(out::add); // none more than expected

            return out;
        }
    }
}
