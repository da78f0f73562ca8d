package com.realtimevoice.result.intake;

import static com.realtimevoice.result.intake.IntakeFixtures.DLT;
import static com.realtimevoice.result.intake.IntakeFixtures.NODE_A;
import static com.realtimevoice.result.intake.IntakeFixtures.NODE_B;
import static com.realtimevoice.result.intake.IntakeFixtures.fin;
import static com.realtimevoice.result.intake.IntakeFixtures.header;
import static com.realtimevoice.result.intake.IntakeFixtures.session;
import static com.realtimevoice.result.intake.IntakeFixtures.started;
import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole intake on an in-process KRaft broker (spring-kafka-test 4 has no ZooKeeper mode, hence no
 * {@code kraft} attribute) and the real database: persist, then deliver, to the owning node only.
 */
@TestPropertySource(
        properties = {"result-service.retry.initial-interval=50ms", "result-service.retry.max-interval=100ms"})
class TranscriptIntakeIntegrationTest extends KafkaIntakeTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Autowired
    MeterRegistry meters;

    @Test
    void storesThenDeliversEachSessionOnlyToTheNodeHoldingItsSocket() throws Exception {
        String a = session();
        String b = session();
        publish(started(a, "user-a", "node-a"));
        publish(started(b, "user-b", "node-b"));
        publish(new TranscriptPartial(a, 0, "hel", 1));
        publish(fin(a, 0, "hello"));
        publish(fin(b, 0, "good"));
        publish(fin(a, 1, "world"));
        publish(fin(b, 1, "morning"));
        publish(new SessionCompleted(a, 2, null, 2));
        publish(new SessionCompleted(b, 2, null, 2));

        List<PipelineEvent> toA = inbox.await(NODE_A, a, 4);
        List<PipelineEvent> toB = inbox.await(NODE_B, b, 3);
        inbox.drainFor(Duration.ofSeconds(1)); // anything sent to the wrong node would have arrived by now

        assertThat(toA)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("TranscriptPartial", "TranscriptFinal", "TranscriptFinal", "SessionCompleted");
        assertThat(toA.get(1)).isEqualTo(fin(a, 0, "hello"));
        SessionCompleted completedA = (SessionCompleted) toA.get(3);
        assertThat(completedA.text()).isEqualTo("hello world");
        assertThat(completedA.segments()).isEqualTo(2);

        assertThat(toB)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("TranscriptFinal", "TranscriptFinal", "SessionCompleted");
        assertThat(((SessionCompleted) toB.get(2)).text()).isEqualTo("good morning");

        assertThat(inbox.events(NODE_A, b))
                .as("node-a must get nothing of node-b's session")
                .isEmpty();
        assertThat(inbox.events(NODE_B, a))
                .as("node-b must get nothing of node-a's session")
                .isEmpty();

        // Delivery came after the commit, so the rows are there.
        assertThat(jdbc.queryForMap(
                        "SELECT status, segments, node_id, reply_topic FROM transcript_session WHERE id = ?", a))
                .containsEntry("status", "COMPLETED")
                .containsEntry("segments", 2)
                .containsEntry("node_id", "node-a")
                .containsEntry("reply_topic", NODE_A);
        assertThat(jdbc.queryForList(
                        "SELECT text FROM transcript_segment WHERE session_id = ? ORDER BY seg_index", String.class, b))
                .containsExactly("good", "morning");
        assertThat(meters.get("result.finals.stored").counter().count()).isGreaterThanOrEqualTo(4);
        assertThat(meters.get("result.deliveries")
                        .tag("result", "delivered")
                        .tag("type", "session.completed")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aReplayedFinalKeepsOneRowAndIsDeliveredAgainWithTheSameIndex() throws Exception {
        String s = session();
        publish(started(s, "user-r", "node-a"));
        publish(fin(s, 0, "first take"));
        publish(fin(s, 0, "second take"));
        publish(new SessionCompleted(s, 1, null, 3));

        List<PipelineEvent> delivered = inbox.await(NODE_A, s, 3);

        assertThat(delivered.subList(0, 2))
                .extracting(e -> ((TranscriptFinal) e).index())
                .containsExactly(0, 0);
        assertThat(delivered.subList(0, 2))
                .extracting(e -> ((TranscriptFinal) e).text())
                .containsExactly("first take", "second take");
        assertThat(((SessionCompleted) delivered.get(2)).text()).isEqualTo("second take");
        assertThat(jdbc.queryForList("SELECT text FROM transcript_segment WHERE session_id = ?", String.class, s))
                .containsExactly("second take");
    }

    @Test
    void aCorruptRecordIsDeadLetteredWithItsReasonAndTheSessionsAfterItStillFlow() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.TYPE, "transcript.final".getBytes(StandardCharsets.UTF_8));
        String corruptKey = "corrupt-" + UUID.randomUUID();
        template.send(new ProducerRecord<>(
                        Topics.TRANSCRIPTS, 0, corruptKey, "{not json".getBytes(StandardCharsets.UTF_8), headers))
                .get(10, TimeUnit.SECONDS);
        String s = session();
        for (PipelineEvent event : List.of(
                started(s, "user-c", "node-a"),
                fin(s, 0, "still"),
                fin(s, 1, "flowing"),
                new SessionCompleted(s, 2, null, 4))) {
            template.send(EventRecords.toRecord(Topics.TRANSCRIPTS, 0, event))
                    .get(10, TimeUnit.SECONDS); // same partition
        }

        ConsumerRecord<String, byte[]> dead =
                inbox.awaitRecords(DLT, corruptKey, 1).get(0);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(header(dead, IntakeKafkaConfiguration.REASON_HEADER))
                .startsWith("MalformedEventException: cannot decode transcript.final");
        assertThat(header(dead, "kafka_dlt-exception-message")).contains("cannot decode transcript.final");
        assertThat(header(dead, "kafka_dlt-original-topic")).isEqualTo(Topics.TRANSCRIPTS);

        List<PipelineEvent> delivered = inbox.await(NODE_A, s, 3);
        assertThat(((SessionCompleted) delivered.get(2)).text()).isEqualTo("still flowing");
        inbox.drainFor(Duration.ofMillis(500));
        assertThat(inbox.records(DLT, corruptKey))
                .as("not retryable: dead-lettered once")
                .hasSize(1);
    }

    @Test
    void aResultForASessionNobodyStartedIsDeadLetteredNeverSkipped() throws Exception {
        String s = session();
        publish(fin(s, 0, "orphan"));

        ConsumerRecord<String, byte[]> dead = inbox.awaitRecords(DLT, s, 1).get(0);
        assertThat(header(dead, IntakeKafkaConfiguration.REASON_HEADER))
                .startsWith("NoRouteException: no route for session " + s);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, s))
                .isZero();
        assertThat(inbox.events(NODE_A, s)).isEmpty();
        assertThat(inbox.events(NODE_B, s)).isEmpty();
    }

    @Test
    void aFailedSessionIsMarkedAndTheFailureDelivered() throws Exception {
        String s = session();
        publish(started(s, "user-f", "node-b"));
        publish(new SessionFailed(s, "ENGINE_UNAVAILABLE", "vosk model missing", 5));

        List<PipelineEvent> delivered = inbox.await(NODE_B, s, 1);

        assertThat(delivered.get(0)).isEqualTo(new SessionFailed(s, "ENGINE_UNAVAILABLE", "vosk model missing", 5));
        assertThat(jdbc.queryForMap("SELECT status, error_code FROM transcript_session WHERE id = ?", s))
                .containsEntry("status", "FAILED")
                .containsEntry("error_code", "ENGINE_UNAVAILABLE");
    }

    @Test
    void aWholeSessionReplayedAfterAWorkerTakeoverCompletesTheClientOnlyOnce() throws Exception {
        String s = session();
        publish(started(s, "user-t", "node-a"));
        publish(fin(s, 0, "said once"));
        publish(new SessionCompleted(s, 1, null, 3));
        // the new owner of the partition replays the session from its start
        publish(started(s, "user-t", "node-a"));
        publish(fin(s, 0, "said once"));
        publish(new SessionCompleted(s, 1, null, 4));

        inbox.await(NODE_A, s, 3);
        inbox.drainFor(Duration.ofSeconds(2));
        assertThat(inbox.events(NODE_A, s).stream().filter(e -> e instanceof SessionCompleted))
                .hasSize(1);
        assertThat(jdbc.queryForList("SELECT text FROM transcript_segment WHERE session_id = ?", String.class, s))
                .containsExactly("said once");
    }

    @Test
    void aResumedSessionGetsTheFinalsItMissedOnItsNewNodeAndEverythingAfterGoesThere() throws Exception {
        String s = session();
        publish(started(s, "user-m", "node-a"));
        publish(fin(s, 0, "one"));
        publish(fin(s, 1, "two"));
        publish(new TranscriptFinal(
                s,
                2,
                "three",
                2000,
                2800,
                "vosk",
                7,
                8,
                List.of(new com.realtimevoice.events.Word("three", 2100, 2700, 0.91))));
        // the client had index 0 when its connection dropped; it reattached on node-b
        publish(new SessionResumed(s, "user-m", "node-b", NODE_B, 0, 12L, 9));
        publish(fin(s, 3, "four"));
        publish(new SessionCompleted(s, 4, null, 10));

        List<PipelineEvent> toB = inbox.await(NODE_B, s, 4);
        assertThat(toB)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("TranscriptFinal", "TranscriptFinal", "TranscriptFinal", "SessionCompleted");
        assertThat(toB.subList(0, 3))
                .extracting(e -> ((TranscriptFinal) e).index())
                .containsExactly(1, 2, 3);
        // replayed from storage with the word timings they were stored with (and none where none were asked)
        assertThat(((TranscriptFinal) toB.get(1)).words())
                .containsExactly(new com.realtimevoice.events.Word("three", 2100, 2700, 0.91));
        assertThat(((TranscriptFinal) toB.get(0)).words()).isNull();
        assertThat(((SessionCompleted) toB.get(3)).text()).isEqualTo("one two three four");
        inbox.drainFor(Duration.ofSeconds(1));
        assertThat(inbox.events(NODE_A, s))
                .extracting(e -> ((TranscriptFinal) e).index())
                .as("node-a got only what came before the resume")
                .containsExactly(0, 1, 2);
        assertThat(jdbc.queryForObject("SELECT reply_topic FROM transcript_session WHERE id = ?", String.class, s))
                .isEqualTo(NODE_B);
    }

    @Test
    void aSessionThatCompletedMeanwhileIsReplayedToTheResumingClientAndAStrangersResumeIsRefused() throws Exception {
        String s = session();
        publish(started(s, "user-c", "node-a"));
        publish(fin(s, 0, "done"));
        publish(new SessionCompleted(s, 1, null, 3));
        publish(new SessionResumed(s, "user-c", "node-b", NODE_B, -1, null, 4));
        List<PipelineEvent> toB = inbox.await(NODE_B, s, 2);
        assertThat(toB.get(0)).isInstanceOf(TranscriptFinal.class);
        assertThat(((SessionCompleted) toB.get(1)).text()).isEqualTo("done");

        String other = session();
        publish(started(other, "user-x", "node-a"));
        publish(new SessionResumed(other, "someone-else", "node-b", NODE_B, -1, null, 5));
        publish(new SessionResumed(session(), "user-x", "node-b", NODE_B, -1, null, 6));
        List<PipelineEvent> refused = inbox.await(NODE_B, other, 1);
        assertThat(((SessionFailed) refused.get(0)).code()).isEqualTo("SESSION_NOT_FOUND");
        assertThat(jdbc.queryForObject("SELECT reply_topic FROM transcript_session WHERE id = ?", String.class, other))
                .as("a refused resume does not move the route")
                .isEqualTo(NODE_A);
    }

    private void publish(PipelineEvent event) throws Exception {
        template.send(EventRecords.toRecord(Topics.TRANSCRIPTS, event)).get(10, TimeUnit.SECONDS);
    }
}
