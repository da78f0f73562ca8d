package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.testsupport.TestDatabase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * How many finals/s result-service itself stores (and delivers): the transcripts topic of an in-process broker is
 * pre-filled with sessions (all started first), their finals round robin (plus replays of an index already sent)
 * and their completions; then the listener is started and timed until every final is committed and every
 * completion acked. Against MariaDB when reachable (TestDatabase), else H2. Not part of the normal suite (the
 * name does not end in Test, and it needs -Dbench=true):
 *
 * <pre>
 * ./mvnw -B -o -pl result-service test -Dtest=IntakeThroughputBenchmark -Dbench=true \
 *     [-Dbench.finals=50000] [-Dbench.sessions=1000] [-Dbench.replay=0.1] [-Dbench.completions=false]
 *     [-DRESULT_BATCH_MAX_FINALS=500] [-DRESULT_SERVICE_CONCURRENCY=1]
 * </pre>
 * The broker, the producer that fills it and the service share the JVM (and here two cores): a lower bound.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=result-service",
            "AUTH_JWT_SECRET=bench-secret-0123456789abcdef0123456789",
            "spring.kafka.listener.auto-startup=false"
        })
@EmbeddedKafka(
        partitions = 12,
        topics = {"asr.delivery.v1.node-a", "asr.delivery.v1.node-b"},
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
class IntakeThroughputBenchmark {

    static final int FINALS = Integer.getInteger("bench.finals", 50_000);
    static final int SESSIONS = Integer.getInteger("bench.sessions", 1_000);
    static final double REPLAY = Double.parseDouble(System.getProperty("bench.replay", "0.1"));
    /** Also end every session (session.completed, after its finals): a read of its rows and a write each. */
    static final boolean COMPLETIONS = Boolean.parseBoolean(System.getProperty("bench.completions", "false"));

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("ASR_TOPIC_PARTITIONS", () -> "12");
    }

    @Autowired
    KafkaTemplate<String, byte[]> template;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ResultServiceProperties properties;

    @Test
    void finalsStoredPerSecond() throws Exception {
        int perSession = (FINALS + SESSIONS - 1) / SESSIONS;
        int replayEvery = REPLAY > 0 ? (int) Math.round(1 / REPLAY) : Integer.MAX_VALUE;
        String run = Long.toString(System.nanoTime(), 36);
        long fillStart = System.nanoTime();
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            String node = s % 2 == 0 ? "node-a" : "node-b";
            sends.add(template.send(EventRecords.toRecord(
                    Topics.TRANSCRIPTS,
                    new SessionStarted(
                            session(run, s),
                            "bench-user",
                            node,
                            Topics.delivery(node),
                            "pcm",
                            16000,
                            "en",
                            "bench-echo",
                            true,
                            false,
                            System.currentTimeMillis()))));
        }
        int finals = 0;
        int replays = 0;
        for (int i = 0; i < perSession; i++) {
            for (int s = 0; s < SESSIONS && s * perSession + i < FINALS; s++) {
                sends.add(template.send(EventRecords.toRecord(Topics.TRANSCRIPTS, fin(run, s, i, "chunks 10 take 1"))));
                finals++;
                if (finals % replayEvery == 0) { // a worker takeover re-emits an index already sent
                    sends.add(template.send(
                            EventRecords.toRecord(Topics.TRANSCRIPTS, fin(run, s, i, "chunks 10 take 2"))));
                    replays++;
                }
            }
        }
        for (int s = 0; COMPLETIONS && s < SESSIONS; s++) {
            sends.add(template.send(EventRecords.toRecord(
                    Topics.TRANSCRIPTS,
                    new SessionCompleted(session(run, s), perSession, null, System.currentTimeMillis()))));
        }
        template.flush();
        for (CompletableFuture<?> send : sends) {
            send.get(60, TimeUnit.SECONDS);
        }
        int writes = finals + replays;
        System.out.printf(
                Locale.ROOT,
                "pre-filled %d records (%d sessions, %d finals + %d replays) in %.1f s%n",
                sends.size(),
                SESSIONS,
                finals,
                replays,
                (System.nanoTime() - fillStart) / 1e9);

        DoubleSupplier stored =
                () -> meters.get("result.finals.stored").counter().count();
        DoubleSupplier completed = () -> meters.get("result.deliveries")
                .tag("type", "session.completed")
                .tag("result", "delivered")
                .counter()
                .count();
        long start = System.nanoTime();
        listeners.getListenerContainer(TranscriptIntake.LISTENER_ID).start();
        long first = 0;
        long allStored = 0;
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            double n = stored.getAsDouble();
            long now = System.nanoTime();
            if (first == 0 && n > 0) {
                first = now;
            }
            if (allStored == 0 && n >= writes) {
                allStored = now;
            }
            if (allStored != 0 && (!COMPLETIONS || completed.getAsDouble() >= SESSIONS)) {
                break;
            }
            Thread.sleep(5);
        }
        long allDelivered = System.nanoTime();
        assertThat(allStored).as("all finals stored within 10 minutes").isPositive();

        String like = "bench-" + run + "-%";
        Integer rows = jdbc.queryForObject(
                "SELECT COUNT(*) FROM transcript_segment WHERE session_id LIKE ?", Integer.class, like);
        Integer distinct = jdbc.queryForObject(
                "SELECT COUNT(DISTINCT session_id, seg_index) FROM transcript_segment WHERE session_id LIKE ?",
                Integer.class,
                like);
        Integer secondTakes = jdbc.queryForObject(
                "SELECT COUNT(*) FROM transcript_segment WHERE session_id LIKE ? AND text = 'chunks 10 take 2'",
                Integer.class,
                like);
        DistributionSummary batches = meters.get("result.db.batch.size").summary();
        double fromFirst = (allStored - first) / 1e9;
        double fromStart = (allStored - start) / 1e9;
        String database = jdbc.execute((java.sql.Connection c) ->
                c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion());
        System.out.printf(
                Locale.ROOT,
                """
                IntakeThroughputBenchmark on %s, max-finals %d, listener concurrency %s, %d partitions
                  stored %d finals (%d distinct + %d replays) of %d sessions in %.2f s from the first commit: %.0f finals/s
                  (%.0f finals/s counting from the listener's start, %.2f s, including joining the group)
                  done (every completion delivered and acked, if any) after %.2f s
                  batches: %d writes, mean %.1f, max %.0f finals
                  rows %d, distinct (session, index) %d, rows holding the replayed text %d: each stored once %s
                """,
                database,
                properties.batch().maxFinals(),
                System.getProperty("RESULT_SERVICE_CONCURRENCY", "1"),
                properties.topicPartitions(),
                writes,
                finals,
                replays,
                SESSIONS,
                fromFirst,
                writes / fromFirst,
                writes / fromStart,
                fromStart,
                (allDelivered - start) / 1e9,
                batches.count(),
                batches.mean(),
                batches.max(),
                rows,
                distinct,
                secondTakes,
                rows == finals && distinct == finals && secondTakes == replays);
        for (io.micrometer.core.instrument.Timer timer :
                meters.find("result.db.write").timers()) {
            System.out.printf(
                    Locale.ROOT,
                    "  result.db.write %s: %d, %.2f s in all%n",
                    timer.getId().getTag("operation"),
                    timer.count(),
                    timer.totalTime(TimeUnit.SECONDS));
        }
        for (io.micrometer.core.instrument.Timer timer :
                meters.find("spring.kafka.listener").timers()) {
            System.out.printf(
                    Locale.ROOT,
                    "  spring.kafka.listener %s: %d polls, %.2f s in all%n",
                    timer.getId().getTags(),
                    timer.count(),
                    timer.totalTime(TimeUnit.SECONDS));
        }
        assertThat(rows).isEqualTo(finals);
        assertThat(distinct).isEqualTo(finals);
        assertThat(secondTakes).isEqualTo(replays);
    }

    private static String session(String run, int s) {
        return "bench-" + run + "-" + s;
    }

    private static TranscriptFinal fin(String run, int s, int index, String text) {
        return new TranscriptFinal(
                session(run, s),
                index,
                text,
                index * 1000L,
                index * 1000L + 1000,
                "bench-echo",
                System.currentTimeMillis(),
                System.currentTimeMillis());
    }
}
