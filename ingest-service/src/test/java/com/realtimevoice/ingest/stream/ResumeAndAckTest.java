package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.ingest.RunningNodeTest;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.testsupport.StreamingClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** Chunk acks once Kafka has the audio, and resuming a dropped session with its resume token. */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=resume-test",
            "ASR_TOPIC_PARTITIONS=1",
            "INGEST_RESUME_WINDOW=2s",
            "INGEST_ACK_INTERVAL=50ms"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class ResumeAndAckTest extends RunningNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    IngestNode node;

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @RegisterExtension
    final AudioTopic audioTopic = AudioTopic.fromEarliest("resume-test");

    @Test
    void chunksAreAckedOnceKafkaHasThem() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("ana", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            for (int i = 0; i < 5; i++) {
                c.sendAudio(new byte[3200]);
            }
            long acked = -1;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (acked < 4 && System.nanoTime() < deadline) {
                acked = c.await("ack", WAIT).get("seq").asLong();
            }
            assertThat(acked).isEqualTo(4);
            assertThat(c.receivedOfType("ack").size()).as("acks are batched").isLessThanOrEqualTo(5);
        }
    }

    @Test
    void aDroppedSessionIsResumedWithItsTokenAndContinuesAtTheClientsNextSeq() throws Exception {
        String token = tokens.issue("ben", Duration.ofMinutes(5));
        JsonNode started = startThenDrop(token, 3);
        String sessionId = started.get("sessionId").asString();
        try (StreamingClient again = StreamingClient.connect(streamUrl(token))) {
            again.send(resumeOf(started, 2));
            JsonNode resumed = again.await("resumed", WAIT);
            assertThat(resumed.get("nextSeq").asLong()).isEqualTo(2);
            again.sendAudio(new byte[3200]); // seq 2 again: a re-send of an unacked chunk
            again.sendAudio(new byte[1600]); // seq 3
            List<PipelineEvent> events = read(sessionId, e -> e instanceof AudioChunk c && c.seq() == 3);
            SessionResumed r = (SessionResumed) events.stream()
                    .filter(e -> e instanceof SessionResumed)
                    .findFirst()
                    .orElseThrow();
            assertThat(r.nodeId()).isEqualTo(node.nodeId());
            assertThat(r.replyTopic()).isEqualTo(node.deliveryTopic());
            assertThat(r.nextSeq()).isEqualTo(2L);
            assertThat(r.userId()).isEqualTo("ben");
            List<Long> seqs = events.stream()
                    .filter(e -> e instanceof AudioChunk)
                    .map(e -> ((AudioChunk) e).seq())
                    .toList();
            assertThat(seqs).containsExactly(0L, 1L, 2L, 2L, 3L);
            Thread.sleep(2500);
            assertThat(readFor(sessionId, Duration.ofSeconds(2)).stream().filter(e -> e instanceof SessionEnded))
                    .as("a resumed session is not ended when the window of the dropped connection closes")
                    .isEmpty();
        }
    }

    @Test
    void anotherUserOrAForgedTokenCannotResume() throws Exception {
        String sessionId;
        String resumeToken;
        try (StreamingClient owner = StreamingClient.connect(streamUrl(tokens.issue("cleo", Duration.ofMinutes(5))))) {
            owner.send("{\"type\":\"start\"}");
            JsonNode started = owner.await("started", WAIT);
            sessionId = started.get("sessionId").asString();
            resumeToken = started.get("resumeToken").asString();
        }
        try (StreamingClient thief =
                StreamingClient.connect(streamUrl(tokens.issue("mallory", Duration.ofMinutes(5))))) {
            thief.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                    + "\",\"lastIndex\":-1}");
            JsonNode error = thief.await("error", WAIT);
            assertThat(error.get("code").asString()).isEqualTo("SESSION_NOT_FOUND");
            assertThat(error.get("recovered").asBoolean()).isFalse();
        }
        try (StreamingClient forger = StreamingClient.connect(streamUrl(tokens.issue("cleo", Duration.ofMinutes(5))))) {
            forger.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\""
                    + resumeToken.substring(0, 10) + "x" + resumeToken.substring(11) + "\",\"lastIndex\":-1}");
            assertThat(forger.await("error", WAIT).get("code").asString()).isEqualTo("SESSION_NOT_FOUND");
        }
    }

    @Test
    void aSessionNotResumedWithinTheWindowIsEndedByTheNodeThatHeldIt() throws Exception {
        String sessionId;
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("dora", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\"}");
            sessionId = c.await("started", WAIT).get("sessionId").asString();
            c.sendAudio(new byte[3200]);
        }
        List<PipelineEvent> events = read(sessionId, e -> e instanceof SessionEnded);
        SessionEnded ended = (SessionEnded) events.get(events.size() - 1);
        assertThat(ended.reason()).isEqualTo("abandoned");
        assertThat(ended.nodeId()).isEqualTo(node.nodeId());
        assertThat(ended.lastSeq()).isZero();
    }

    /**
     * The soak's lost finals (2026-12-07): a client resumed while the pipeline was far behind; the session's finals
     * went by its old route to the node it had left, and its completion reached the node it resumed on ahead of the
     * resume's catch-up (which is in order behind it). The client must not hear {@code completed} before it has every
     * final: the node holds that completion back and the catch-up's finals and completion follow.
     */
    @Test
    void aCompletionAheadOfTheResumesCatchUpIsHeldUntilTheClientHasEveryFinal() throws Exception {
        String token = tokens.issue("cleo", Duration.ofMinutes(5));
        JsonNode started = startThenDrop(token, 1);
        String sessionId = started.get("sessionId").asString();
        try (StreamingClient again = StreamingClient.connect(streamUrl(token))) {
            again.send(resumeOf(started, 1));
            again.await("resumed", WAIT);
            // finals 0 and 1 went to the node the client left; 2 and the completion still come by the old route
            deliver(finalOf(sessionId, 2));
            deliver(new SessionCompleted(sessionId, 3, "zero one two", System.currentTimeMillis()));
            assertThat(again.await("final", WAIT).get("index").asInt()).isEqualTo(2);
            Thread.sleep(1000);
            assertThat(again.receivedOfType("completed"))
                    .as("no completed while finals 0 and 1 are missing")
                    .isEmpty();
            // the resume's catch-up: every stored final after lastIndex, then completed
            for (int i = 0; i < 3; i++) {
                deliver(finalOf(sessionId, i));
            }
            deliver(new SessionCompleted(sessionId, 3, "zero one two", System.currentTimeMillis()));
            JsonNode completed = again.await("completed", WAIT);
            assertThat(completed.get("segments").asInt()).isEqualTo(3);
            assertThat(again.receivedOfType("final").stream()
                            .map(f -> f.get("index").asInt())
                            .distinct())
                    .containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    /** Starts a session, sends {@code chunks} chunks of 100 ms and drops the connection; returns {@code started}. */
    private JsonNode startThenDrop(String token, int chunks) throws Exception {
        try (StreamingClient first = StreamingClient.connect(streamUrl(token))) {
            first.send("{\"type\":\"start\"}");
            JsonNode started = first.await("started", WAIT);
            for (int i = 0; i < chunks; i++) {
                first.sendAudio(new byte[3200]);
            }
            return started;
        } // the network drops
    }

    /** The {@code resume} a client sends for {@code started}'s session, having seen no final, at its next seq. */
    private static String resumeOf(JsonNode started, long nextSeq) {
        return "{\"type\":\"resume\",\"sessionId\":\""
                + started.get("sessionId").asString() + "\",\"resumeToken\":\""
                + started.get("resumeToken").asString() + "\",\"lastIndex\":-1,\"nextSeq\":" + nextSeq + "}";
    }

    private static TranscriptFinal finalOf(String sessionId, int index) {
        long now = System.currentTimeMillis();
        return new TranscriptFinal(
                sessionId, index, "text " + index, index * 1000L, index * 1000L + 900, "vosk", now, now);
    }

    private void deliver(PipelineEvent event) throws Exception {
        kafka.send(EventRecords.toRecord(node.deliveryTopic(), event)).get();
    }

    /** The session's events from the beginning of the audio topic, until one matches {@code until}. */
    private List<PipelineEvent> read(String sessionId, java.util.function.Predicate<PipelineEvent> until) {
        List<PipelineEvent> events = poll(sessionId, WAIT, until);
        assertThat(events.stream().anyMatch(until))
                .as("awaited event of session %s among %s", sessionId, events)
                .isTrue();
        return events;
    }

    /** The session's events from the beginning of the audio topic, as many as arrive within {@code time}. */
    private List<PipelineEvent> readFor(String sessionId, Duration time) {
        return poll(sessionId, time, e -> false);
    }

    private List<PipelineEvent> poll(
            String sessionId, Duration time, java.util.function.Predicate<PipelineEvent> until) {
        List<PipelineEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + time.toNanos();
        audioTopic.consumer().poll(Duration.ofMillis(100)); // join the group before seeking
        audioTopic.consumer().seekToBeginning(audioTopic.consumer().assignment());
        while (System.nanoTime() < deadline && events.stream().noneMatch(until)) {
            audioTopic.consumer().poll(Duration.ofMillis(200)).forEach(r -> {
                if (sessionId.equals(r.key())) {
                    events.add(EventRecords.fromRecord(r));
                }
            });
        }
        return events;
    }
}
