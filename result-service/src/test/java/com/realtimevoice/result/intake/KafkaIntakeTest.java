package com.realtimevoice.result.intake;

import static com.realtimevoice.result.intake.IntakeFixtures.DLT;
import static com.realtimevoice.result.intake.IntakeFixtures.NODE_A;
import static com.realtimevoice.result.intake.IntakeFixtures.NODE_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The intake against an embedded broker: a test publishes on the transcripts topic with {@link #template}, reads
 * what the two nodes' delivery topics and the dead-letter topic get from {@link #inbox} (fresh for each test), and
 * looks at the rows with {@link #jdbc}. Each test class has a context (and a broker) of its own.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=result-service",
            "AUTH_JWT_SECRET=intake-test-secret-0123456789abcdef0123",
            "ASR_TOPIC_PARTITIONS=3"
        })
@EmbeddedKafka(
        partitions = 3,
        topics = {"asr.delivery.v1.node-a", "asr.delivery.v1.node-b"},
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
abstract class KafkaIntakeTest {

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    KafkaTemplate<String, byte[]> template;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    Inbox inbox;

    @BeforeEach
    void openInbox() {
        inbox = new Inbox(broker, NODE_A, NODE_B, DLT);
    }

    @AfterEach
    void closeInbox() {
        inbox.close();
    }

    /** The intake's listener. */
    MessageListenerContainer listener() {
        return listeners.getListenerContainer(TranscriptIntake.LISTENER_ID);
    }

    /**
     * Publishes with the listener paused, so that it then takes them in as few polls as possible; returns when it
     * resumed ({@link System#nanoTime()}).
     */
    long publishWhilePaused(List<ProducerRecord<String, byte[]>> records) throws Exception {
        MessageListenerContainer container = listener();
        container.pause();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!container.isContainerPaused() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(container.isContainerPaused()).isTrue();
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : records) {
            sends.add(template.send(record));
        }
        template.flush();
        for (CompletableFuture<?> send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }
        long resumed = System.nanoTime();
        container.resume();
        return resumed;
    }

    /** An event's record on the transcripts topic, on that partition (null: its key's); a raw record as it is. */
    @SuppressWarnings("unchecked")
    static ProducerRecord<String, byte[]> record(Object eventOrRecord, Integer partition) {
        return eventOrRecord instanceof ProducerRecord<?, ?> raw
                ? (ProducerRecord<String, byte[]>) raw
                : EventRecords.toRecord(Topics.TRANSCRIPTS, partition, (PipelineEvent) eventOrRecord);
    }
}
