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
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.testsupport.TestDatabase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.test.context.TestPropertySource;

/**
 * The batch listener on an in-process broker and the real database (MariaDB when reachable): many finals a
 * poll, each stored once, each session's results delivered in order and each final only after its commit
 * (checked at send time by {@link StoredBeforeDeliveredCheck}), and poison records in the middle of a poll
 * dead-lettered alone while their neighbours are stored and delivered.
 */
@TestPropertySource(
        properties = {
            "RESULT_BATCH_MAX_FINALS=200",
            "result-service.retry.initial-interval=50ms",
            "result-service.retry.max-interval=100ms",
            "spring.kafka.producer.properties.interceptor.classes=com.realtimevoice.result.intake.StoredBeforeDeliveredCheck"
        })
class TranscriptIntakeBatchIntegrationTest extends KafkaIntakeTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @BeforeAll
    static void checkDeliveriesAgainstTheDatabase() {
        Map<String, String> p = DB.springProperties();
        if (DB.isMariaDb()) {
            StoredBeforeDeliveredCheck.database(
                    "jdbc:mysql://" + p.get("DB_HOST") + ":" + p.get("DB_PORT") + "/" + p.get("DB_NAME"),
                    p.get("DB_USER"),
                    p.get("DB_PASSWORD"));
        } else {
            StoredBeforeDeliveredCheck.database(p.get("spring.datasource.url"), "sa", "");
        }
    }

    @AfterAll
    static void stopChecking() throws Exception {
        StoredBeforeDeliveredCheck.closeConnection();
    }

    @Autowired
    MeterRegistry meters;

    @Autowired
    DefaultErrorHandler errorHandler;

    /** Failed attempts per record key, as the error handler reports them. */
    final Map<String, AtomicInteger> failedAttempts = new ConcurrentHashMap<>();

    final Map<String, AtomicInteger> recovered = new ConcurrentHashMap<>();

    @BeforeEach
    void listenForRetries() {
        errorHandler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int deliveryAttempt) {
                failedAttempts
                        .computeIfAbsent(String.valueOf(record.key()), k -> new AtomicInteger())
                        .incrementAndGet();
            }

            @Override
            public void recovered(ConsumerRecord<?, ?> record, Exception ex) {
                recovered
                        .computeIfAbsent(String.valueOf(record.key()), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        });
        StoredBeforeDeliveredCheck.VIOLATIONS.clear();
    }

    @AfterEach
    void resumeTheListener() {
        if (listener().isPauseRequested()) {
            listener().resume();
        }
    }

    @Test
    void manyFinalsAreStoredOnceInBatchesAndEachSessionsResultsAreDeliveredInOrderAfterTheirCommit() throws Exception {
        int sessions = 50;
        int segments = 40; // 2,000 finals, plus 10 % replays of an index already sent
        Random random = new Random(42);
        Map<String, String> nodeOf = new LinkedHashMap<>();
        Map<String, List<PipelineEvent>> bySession = new LinkedHashMap<>();
        for (int s = 0; s < sessions; s++) {
            String id = UUID.randomUUID().toString();
            String node = s % 2 == 0 ? "node-a" : "node-b";
            nodeOf.put(id, Topics.delivery(node));
            List<PipelineEvent> events = new ArrayList<>();
            events.add(started(id, "user-" + s, node));
            int replays = 0;
            for (int i = 0; i < segments; i++) {
                if (i % 8 == 0) {
                    events.add(new TranscriptPartial(id, i, "partial " + i, 1));
                }
                events.add(fin(id, i, "s" + s + "w" + i));
                if (i % 10 == 9) { // 4 per session: 200 replays in all
                    int again = i - random.nextInt(10);
                    events.add(fin(id, again, "s" + s + "w" + again + "-take" + (++replays + 1)));
                }
            }
            events.add(new SessionCompleted(id, segments, null, 2));
            bySession.put(id, events);
        }
        // Interleave the sessions at random, each keeping its own order: starts and completions among finals.
        List<PipelineEvent> all = new ArrayList<>();
        Map<String, Integer> next = new HashMap<>();
        List<String> open = new ArrayList<>(bySession.keySet());
        while (!open.isEmpty()) {
            String id = open.get(random.nextInt(Math.min(open.size(), 12)));
            int n = next.merge(id, 1, Integer::sum) - 1;
            all.add(bySession.get(id).get(n));
            if (n == bySession.get(id).size() - 1) {
                open.remove(id);
            }
        }
        long finals = all.stream().filter(e -> e instanceof TranscriptFinal).count();
        assertThat(finals).isEqualTo(2_200);
        double storedBefore = meters.get("result.finals.stored").counter().count();
        DistributionSummary batches = meters.get("result.db.batch.size").summary();
        long batchesBefore = batches.count();
        long hopsBefore = hops("transcript.final");

        publishWhilePaused(all, null); // partitioned by session

        for (Map.Entry<String, List<PipelineEvent>> session : bySession.entrySet()) {
            String id = session.getKey();
            List<PipelineEvent> expected =
                    session.getValue().subList(1, session.getValue().size() - 1);
            List<PipelineEvent> delivered = inbox.await(nodeOf.get(id), id, expected.size() + 1);
            assertThat(delivered.subList(0, expected.size()))
                    .as("session %s in order", id)
                    .containsExactlyElementsOf(expected);
            SessionCompleted completed = (SessionCompleted) delivered.get(expected.size());
            assertThat(completed.text())
                    .as("completed after all its finals were stored")
                    .isEqualTo(lastTexts(expected).values().stream().collect(Collectors.joining(" ")));
        }
        inbox.drainFor(Duration.ofMillis(500));
        for (String id : bySession.keySet()) {
            String other = nodeOf.get(id).equals(NODE_A) ? NODE_B : NODE_A;
            assertThat(inbox.records(other, id)).as("nothing on the other node").isEmpty();
            assertThat(inbox.records(nodeOf.get(id), id))
                    .as("nothing twice")
                    .hasSize(bySession.get(id).size() - 1);
        }

        String in = bySession.keySet().stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id IN (" + in + ")", Integer.class))
                .as("each (session, index) stored exactly once")
                .isEqualTo(sessions * segments);
        for (Map.Entry<String, List<PipelineEvent>> session : bySession.entrySet()) {
            Map<Integer, String> stored = new TreeMap<>();
            jdbc.query(
                    "SELECT seg_index, text FROM transcript_segment WHERE session_id = ?",
                    rs -> {
                        stored.put(rs.getInt(1), rs.getString(2));
                    },
                    session.getKey());
            assertThat(stored).as("the last text of each index").isEqualTo(lastTexts(session.getValue()));
        }
        assertThat(StoredBeforeDeliveredCheck.VIOLATIONS).isEmpty();
        assertThat(StoredBeforeDeliveredCheck.CHECKED.get()).isGreaterThanOrEqualTo(2_200 + sessions);
        assertThat(meters.get("result.finals.stored").counter().count() - storedBefore)
                .isEqualTo(2_200);
        long writes = batches.count() - batchesBefore;
        assertThat(writes).as("finals were written in groups, not one by one").isLessThan(2_200 / 4);
        assertThat(batches.max()).isGreaterThan(1).isLessThanOrEqualTo(200); // RESULT_BATCH_MAX_FINALS
        assertThat(hops("transcript.final") - hopsBefore)
                .as("the hop latency, once per record (batch interceptor)")
                .isEqualTo(2_200);
    }

    private long hops(String type) {
        io.micrometer.core.instrument.Timer timer = meters.find(KafkaMetricsConfiguration.HOP_LATENCY_METER)
                .tag("type", type)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void poisonInTheMiddleOfABatchIsDeadLetteredAtOnceAndFailsOnlyItsSession() throws Exception {
        String s = UUID.randomUUID().toString();
        String t = UUID.randomUUID().toString();
        String corruptKey = "corrupt-" + UUID.randomUUID();
        String poisonKey = s; // the poison final belongs to session s: its neighbours share its key
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.TYPE, "transcript.final".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<String, byte[]> corrupt = new ProducerRecord<>(
                Topics.TRANSCRIPTS, 0, corruptKey, "{not json".getBytes(StandardCharsets.UTF_8), headers);
        // engine is VARCHAR(32): the database refuses this final (and the whole group it is written with)
        TranscriptFinal poison = new TranscriptFinal(s, 3, "refused", 3000, 3800, "e".repeat(40), 7, 8);
        List<Object> batch = List.of(
                started(s, "user-p", "node-a"),
                started(t, "user-q", "node-b"),
                fin(s, 0, "one"),
                fin(t, 0, "uno"),
                fin(s, 1, "two"),
                corrupt,
                fin(s, 2, "three"),
                fin(t, 1, "dos"),
                poison,
                fin(s, 4, "five"),
                fin(t, 2, "tres"),
                new SessionCompleted(s, 5, null, 3),
                new SessionCompleted(t, 3, null, 3));

        publishWhilePaused(batch, 0); // all on partition 0: one poll, in this order

        // s is poisoned by its final 3: its client gets what was stored before it, then the error; t flows on
        List<PipelineEvent> toA = inbox.await(NODE_A, s, 4);
        List<PipelineEvent> toB = inbox.await(NODE_B, t, 4);
        assertThat(toA.subList(0, 3)).containsExactly(fin(s, 0, "one"), fin(s, 1, "two"), fin(s, 2, "three"));
        assertThat(((SessionFailed) toA.get(3)).code()).isEqualTo("UNPROCESSABLE");
        assertThat(toB.subList(0, 3)).containsExactly(fin(t, 0, "uno"), fin(t, 1, "dos"), fin(t, 2, "tres"));
        assertThat(((SessionCompleted) toB.get(3)).text()).isEqualTo("uno dos tres");

        ConsumerRecord<String, byte[]> deadCorrupt =
                inbox.awaitRecords(DLT, corruptKey, 1).get(0);
        assertThat(new String(deadCorrupt.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(header(deadCorrupt, IntakeKafkaConfiguration.REASON_HEADER))
                .startsWith("MalformedEventException: cannot decode transcript.final");
        assertThat(header(deadCorrupt, "kafka_dlt-exception-message")).contains("cannot decode transcript.final");
        assertThat(header(deadCorrupt, "kafka_dlt-original-offset")).isNotNull();

        List<ConsumerRecord<String, byte[]>> deadOfS =
                inbox.awaitRecords(DLT, poisonKey, 3); // the poison, then s's rest
        assertThat(EventRecords.fromRecord(deadOfS.get(0))).isEqualTo(poison);
        assertThat(header(deadOfS.get(0), IntakeKafkaConfiguration.REASON_HEADER))
                .startsWith("DataIntegrityViolationException")
                .containsIgnoringCase("too long");
        assertThat(EventRecords.fromRecord(deadOfS.get(1))).isEqualTo(fin(s, 4, "five"));
        assertThat(header(deadOfS.get(1), IntakeKafkaConfiguration.REASON_HEADER))
                .startsWith("PoisonedSessionException");

        inbox.drainFor(Duration.ofMillis(500));
        assertThat(inbox.records(DLT, corruptKey)).hasSize(1);
        assertThat(inbox.records(DLT, poisonKey)).hasSize(3);
        assertThat(inbox.records(DLT, t)).isEmpty();
        assertThat(failedAttempts)
                .as("poison is not retried: the error handler never saw it")
                .isEmpty();
        assertThat(jdbc.queryForList(
                        "SELECT text FROM transcript_segment WHERE session_id = ? ORDER BY seg_index", String.class, s))
                .containsExactly("one", "two", "three");
        assertThat(jdbc.queryForObject("SELECT status FROM transcript_session WHERE id = ?", String.class, s))
                .isEqualTo("FAILED");
        assertThat(inbox.records(NODE_A, s))
                .as("each delivered once, nothing rewound and repeated")
                .hasSize(4);
        assertThat(inbox.records(NODE_B, t)).hasSize(4);
        assertThat(StoredBeforeDeliveredCheck.VIOLATIONS).isEmpty();
    }

    /** Publishes with the listener paused, so that it then takes them in as few polls as possible. */
    private void publishWhilePaused(List<?> events, Integer partition) throws Exception {
        publishWhilePaused(
                events.stream().map(event -> record(event, partition)).toList());
    }

    /** The last text sent for each index, by index. */
    private static Map<Integer, String> lastTexts(List<PipelineEvent> events) {
        Map<Integer, String> last = new TreeMap<>();
        events.stream()
                .filter(e -> e instanceof TranscriptFinal)
                .map(e -> (TranscriptFinal) e)
                .forEach(f -> last.put(f.index(), f.text()));
        return last;
    }
}
