package com.realtimevoice.ingest.stream;

import com.realtimevoice.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The audio topic of the test's broker, read as a worker would: subscribed before each test in a group of its own,
 * closed after it. As {@code @RegisterExtension final AudioTopic audioTopic = AudioTopic.fromLatest("x");}.
 */
final class AudioTopic implements BeforeEachCallback, AfterEachCallback {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String group;
    private final boolean fromLatest;
    private KafkaConsumer<String, byte[]> consumer;

    private AudioTopic(String group, boolean fromLatest) {
        this.group = group;
        this.fromLatest = fromLatest;
    }

    /** Only what is published from the test's start on. */
    static AudioTopic fromLatest(String group) {
        return new AudioTopic(group, true);
    }

    /** All the topic holds. */
    static AudioTopic fromEarliest(String group) {
        return new AudioTopic(group, false);
    }

    KafkaConsumer<String, byte[]> consumer() {
        return consumer;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Environment env = SpringExtension.getApplicationContext(context).getEnvironment();
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        env.getProperty("spring.kafka.bootstrap-servers"),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group + "-" + System.nanoTime(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        fromLatest ? "latest" : "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.AUDIO));
        if (fromLatest) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            // "latest" is looked up lazily: fix it now, or a test's first event can land before the lookup and be
            // missed
            consumer.assignment().forEach(partition -> consumer.position(partition, WAIT));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        consumer.close();
    }
}
