package com.realtimevoice.result.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.result.LocalWithoutKafka;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.TestEvents;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * TRANSCRIPT_RETENTION with time compressed through the shipped settings: a retention of 30 s swept every 200 ms
 * (TRANSCRIPT_RETENTION_SWEEP) in batches of 7 (TRANSCRIPT_RETENTION_BATCH) stands for 30 days swept every 10 minutes.
 */
@LocalWithoutKafka
@SpringBootTest(
        properties = {
            "result-service.retention.keep=30s",
            "result-service.retention.sweep-interval=200ms",
            "result-service.retention.batch-size=7"
        })
@DirtiesContext
class TranscriptRetentionTest extends StoreTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Autowired
    MeterRegistry meters;

    @Test
    void sessionsOlderThanTheRetentionGoWithTheirSegmentsInBatchesAndNewerOnesStay() {
        double purgedBefore = purged();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 25; i++) { // more than three batches
            old.add(session(Instant.now().minus(Duration.ofMinutes(1 + i))));
        }
        String recent = session(Instant.now());

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(count(old)).isZero());
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, old.get(0)))
                .isZero();
        assertThat(store.findTranscript(recent))
                .get()
                .extracting(t -> t.segments().size())
                .isEqualTo(1);
        assertThat(purged() - purgedBefore).isGreaterThanOrEqualTo(25);
    }

    private int count(List<String> ids) {
        return ids.stream()
                .mapToInt(id ->
                        jdbc.queryForObject("SELECT COUNT(*) FROM transcript_session WHERE id = ?", Integer.class, id))
                .sum();
    }

    private double purged() {
        return meters.get("result.transcripts.purged").counter().count();
    }

    private String session(Instant startedAt) {
        String id = "s-" + UUID.randomUUID();
        // one transaction: a sweep between a start and its completion would already delete a session this old
        store.storeGroup(
                List.of(new TranscriptStore.Start(
                        TestEvents.started(id, "alice", "node-a", startedAt.toEpochMilli()), NODE_A)),
                List.of(new TranscriptFinal(id, 0, "words", 0, 900, "vosk", 0, 0)),
                List.of(new SessionCompleted(id, 1, null, startedAt.toEpochMilli() + 1000)));
        return id;
    }
}
