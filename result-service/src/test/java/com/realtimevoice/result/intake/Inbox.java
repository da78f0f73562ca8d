package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.fail;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** Everything that arrives on the watched topics, kept, so tests can ask for a session's records. */
final class Inbox implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();

    Inbox(EmbeddedKafkaBroker broker, String... topics) {
        Map<String, Object> props = KafkaTestUtils.consumerProps(broker, "inbox-" + UUID.randomUUID(), false);
        props.put("auto.offset.reset", "earliest");
        props.put("metadata.max.age.ms", "500"); // see the dead-letter topic soon after the service creates it
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics));
    }

    List<PipelineEvent> await(String topic, String key, int count) {
        return awaitRecords(topic, key, count).stream()
                .map(EventRecords::fromRecord)
                .toList();
    }

    List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, String key, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> found = records(topic, key);
            if (found.size() >= count) {
                return found;
            }
            poll(Duration.ofMillis(200));
        }
        return fail("expected " + count + " records for " + key + " on " + topic + ", got " + records(topic, key));
    }

    void drainFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100));
        }
    }

    List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return received.stream()
                .filter(r -> r.topic().equals(topic) && key.equals(r.key()))
                .toList();
    }

    List<PipelineEvent> events(String topic, String key) {
        return records(topic, key).stream().map(EventRecords::fromRecord).toList();
    }

    private void poll(Duration timeout) {
        consumer.poll(timeout).forEach(received::add);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
