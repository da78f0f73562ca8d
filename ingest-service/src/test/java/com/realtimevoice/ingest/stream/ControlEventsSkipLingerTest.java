package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.ingest.RunningNodeTest;
import com.realtimevoice.testsupport.StreamingClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The producer lingers to batch chunks; events a reply waits for must not. With a linger far longer than the send
 * timeout, start and end still answer at once because AudioPublisher flushes for them, and the flush carries the
 * chunks buffered before them (their acks come with it). Without the flush, start would answer OVERLOADED.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=linger-test",
            "ASR_TOPIC_PARTITIONS=1",
            "INGEST_KAFKA_LINGER_MS=60000",
            "INGEST_KAFKA_SEND_TIMEOUT=5s",
            "INGEST_ACK_INTERVAL=50ms"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class ControlEventsSkipLingerTest extends RunningNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Test
    void audioBatchesAreLargeEnoughThatTheLingerDecides() {
        // Kafka's default 16 KB holds five 100 ms chunks, and a full batch is sent before its linger ends
        assertThat(String.valueOf(
                        kafka.getProducerFactory().getConfigurationProperties().get("batch.size")))
                .isEqualTo("65536");
    }

    @Test
    void startAndEndAreSentAtOnceDespiteALongLinger() throws Exception {
        String url = streamUrl(tokens.issue("lin", Duration.ofMinutes(5)));
        try (StreamingClient c = StreamingClient.connect(url)) {
            long began = System.nanoTime();
            c.send("{\"type\":\"start\"}");
            JsonNode started = c.await("started", WAIT);
            assertThat(started)
                    .as("started, not an OVERLOADED error after the 5 s send timeout")
                    .isNotNull();
            assertThat(c.receivedOfType("error")).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
            for (int i = 0; i < 3; i++) {
                c.sendAudio(new byte[3200]);
            }
            c.send("{\"type\":\"end\"}");
            long acked = -1;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (acked < 2 && System.nanoTime() < deadline) {
                acked = c.await("ack", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                        .get("seq")
                        .asLong();
            }
            assertThat(acked)
                    .as("the chunks buffered before end went out with its flush, not after the 60 s linger")
                    .isEqualTo(2);
            assertThat(c.receivedOfType("error")).isEmpty();
        }
    }
}
