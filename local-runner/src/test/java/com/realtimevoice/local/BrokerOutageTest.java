package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * A 15 s broker outage is ridden out (issue 18): the broker is killed (-9) while a client streams and started again
 * on the same port and data 15 s later. The socket stays open (audio past INGEST_MAX_UNACKED_AUDIO gets OVERLOADED
 * per chunk, no close), a resume during the outage is accepted at once, the next result comes within 10 s of the
 * broker's return, and every final reaches the client and is stored once. The product runs with its shipped settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerOutageTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerOutageTest.class);
    private static final Duration OUTAGE = Duration.ofSeconds(15);
    private static final long CHUNK_NANOS = 50_000_000L; // 100 ms chunks at 2x real time

    private RestartableBroker broker;
    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("broker-outage");
        broker = new RestartableBroker(dir).create(Duration.ofSeconds(90));
        cluster = new LocalCluster(LocalCluster.Settings.defaults()
                        .withNodes(1, 1, 1)
                        .withRandomPorts()
                        .withPartitions(2)
                        .withKafka(broker.bootstrapServers()))
                .start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aFifteenSecondBrokerOutageIsRiddenOut() throws Exception {
        String token = scenarios.devToken("otis");
        byte[] sentences = SpeechFixtures.pcm("sentences.wav");
        byte[] pcm = new byte[sentences.length * 2 + 32000];
        System.arraycopy(sentences, 0, pcm, 0, sentences.length);
        System.arraycopy(sentences, 0, pcm, sentences.length + 32000, sentences.length);
        List<byte[]> chunks = SpeechFixtures.chunks(pcm, 3200);

        // 1. Stream at 2x; kill the broker 2 s in; go on until the server refuses a chunk with OVERLOADED.
        StreamingClient a = StreamingClient.connect(scenarios.wsUrl(0, token));
        a.send("{\"type\":\"start\"}");
        JsonNode started = a.await("started", Duration.ofSeconds(20));
        String sessionId = started.get("sessionId").asString();
        String resumeToken = started.get("resumeToken").asString();
        long t0 = System.nanoTime();
        long killedAt = 0;
        int sent = 0;
        while (sent < chunks.size() && overloaded(a) == null) {
            if (sent == 40) {
                broker.kill();
                killedAt = System.nanoTime();
                log.info("broker killed at chunk {}", sent);
            }
            a.sendAudio(chunks.get(sent++));
            sleepUntil(t0 + sent * CHUNK_NANOS);
        }
        JsonNode refusal = overloaded(a);
        assertThat(refusal)
                .as("a chunk past the in-flight limit is refused with OVERLOADED")
                .isNotNull();
        Thread.sleep(300);
        assertThat(a.isClosed())
                .as("the socket stays open through the outage: " + a.received())
                .isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
                .as("still inside the outage")
                .isLessThan(OUTAGE);
        long lastAck = maxAck(a, -1);
        TreeSet<Integer> indexes = finals(a, new TreeSet<>());
        log.info("OVERLOADED after {} chunks, last ack {}, finals {}", sent, lastAck, indexes);

        // 2. The client drops (a phone changing networks) and resumes while the broker is still down.
        a.close();
        StreamingClient b = StreamingClient.connect(scenarios.wsUrl(0, token));
        long resumeSent = System.nanoTime();
        b.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                + "\",\"lastIndex\":" + (indexes.isEmpty() ? -1 : indexes.last()) + ",\"nextSeq\":" + (lastAck + 1)
                + "}");
        assertThat(b.await("resumed", Duration.ofSeconds(5)).get("nextSeq").asLong())
                .isEqualTo(lastAck + 1);
        assertThat(Duration.ofNanos(System.nanoTime() - resumeSent))
                .as("accepted at once")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
                .as("accepted during the outage")
                .isLessThan(OUTAGE);

        // 3. Re-send from the first unacked chunk, at most 9 s ahead of the acks (the client's own buffer); the broker
        //    comes back 15 s after it went away.
        int next = (int) lastAck + 1;
        long pace = System.nanoTime();
        boolean restarted = false;
        long[] readyAt = {0};
        long firstResultAfterReturn = 0;
        int resultsAtReturn = -1;
        while (next < chunks.size() || firstResultAfterReturn == 0) {
            if (!restarted && System.nanoTime() - killedAt >= OUTAGE.toNanos()) {
                broker.start();
                restarted = true;
                Thread ready = new Thread(() -> {
                    try {
                        broker.awaitReady(Duration.ofSeconds(60));
                        readyAt[0] = System.nanoTime();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                ready.setDaemon(true);
                ready.start();
            }
            if (readyAt[0] != 0 && resultsAtReturn < 0) {
                resultsAtReturn = results(b);
                log.info("broker back {} ms after the kill", (readyAt[0] - killedAt) / 1_000_000);
            }
            if (resultsAtReturn >= 0 && firstResultAfterReturn == 0 && results(b) > resultsAtReturn) {
                firstResultAfterReturn = System.nanoTime();
            }
            if (readyAt[0] != 0
                    && System.nanoTime() - readyAt[0] > Duration.ofSeconds(30).toNanos()) {
                break;
            }
            if (next < chunks.size() && next <= maxAck(b, lastAck) + 90 && System.nanoTime() >= pace) {
                b.sendAudio(chunks.get(next++));
                pace = Math.max(pace + CHUNK_NANOS, System.nanoTime() - 10 * CHUNK_NANOS);
            } else {
                Thread.sleep(10);
            }
            assertThat(b.isClosed())
                    .as("the resumed socket stays open: " + b.received())
                    .isFalse();
        }
        assertThat(readyAt[0]).as("the broker came back").isPositive();
        assertThat(firstResultAfterReturn)
                .as("a result after the broker's return")
                .isPositive();
        Duration toResult = Duration.ofNanos(firstResultAfterReturn - readyAt[0]);
        log.info("next result {} ms after the broker's return", toResult.toMillis());
        assertThat(toResult)
                .as("next result within 10 s of the broker's return")
                .isLessThan(Duration.ofSeconds(10));

        // 4. The end: every final, each once, at the client and in the database.
        b.send("{\"type\":\"end\"}");
        JsonNode completed = b.await("completed", Duration.ofSeconds(60));
        int segments = completed.get("segments").asInt();
        finals(b, indexes);
        assertThat(segments).isGreaterThanOrEqualTo(4);
        assertThat(indexes).as("every final reached the client").containsExactlyElementsOf(range(segments));
        assertThat(b.receivedOfType("error")).as("no error after the resume").isEmpty();
        b.close();
        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        assertThat(db.queryForList(
                        "select seg_index from transcript_segment where session_id = ? order by seg_index",
                        Integer.class,
                        sessionId))
                .as("stored once each")
                .containsExactlyElementsOf(range(segments));
        Counter badRequests = cluster.ingestNodes()
                .get(0)
                .getBean(MeterRegistry.class)
                .find("ingest.errors")
                .tag("code", "BAD_REQUEST")
                .counter();
        assertThat(badRequests == null ? 0 : badRequests.count())
                .as("no BAD_REQUEST without a bad request")
                .isZero();
    }

    private static JsonNode overloaded(StreamingClient c) {
        return c.receivedOfType("error").stream()
                .filter(e -> "OVERLOADED".equals(e.get("code").asString()))
                .findFirst()
                .orElse(null);
    }

    private static long maxAck(StreamingClient c, long floor) {
        return Math.max(
                floor,
                c.receivedOfType("ack").stream()
                        .mapToLong(m -> m.get("seq").asLong())
                        .max()
                        .orElse(-1));
    }

    private static TreeSet<Integer> finals(StreamingClient c, TreeSet<Integer> into) {
        c.receivedOfType("final").forEach(f -> into.add(f.get("index").asInt()));
        return into;
    }

    private static int results(StreamingClient c) {
        return c.receivedOfType("final").size() + c.receivedOfType("partial").size();
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
