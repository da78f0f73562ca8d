package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.JsonNode;

/**
 * Sessions survive the loss of the process they run on: a worker that stops mid-utterance (its partitions move,
 * the new owner replays the open sessions from their replay point), and a client whose connection drops and that resumes
 * on the other ingest node. Every final arrives, each stored once. (Kill -9 of separate processes: fault-harness.)
 */
class FailoverTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 4;

    @BeforeAll
    void startCluster() {
        start(settings(DATABASE).withNodes(2, 2, 1).withPartitions(PARTITIONS));
    }

    @Test
    void aClientThatDropsResumesOnTheOtherNodeAndGetsEveryFinalOnce() throws Exception {
        String token = scenarios.devToken("rita");
        byte[] pcm = SpeechFixtures.pcm("sentences.wav");
        List<byte[]> chunks = SpeechFixtures.chunks(pcm, 3200);
        int cut = 60; // 6 s in: the first sentence is final, the second is being spoken
        String sessionId;
        String resumeToken;
        long lastAck;
        int lastIndex;
        try (StreamingClient a = StreamingClient.connect(scenarios.wsUrl(0, token))) {
            a.send("{\"type\":\"start\"}");
            JsonNode started = a.await("started", WAIT);
            sessionId = started.get("sessionId").asString();
            resumeToken = started.get("resumeToken").asString();
            for (int i = 0; i < cut; i++) {
                a.sendAudio(chunks.get(i));
                Thread.sleep(40);
            }
            a.await("final", WAIT);
            Thread.sleep(300);
            lastAck = a.receivedOfType("ack").stream()
                    .mapToLong(m -> m.get("seq").asLong())
                    .max()
                    .orElse(-1);
            lastIndex = a.receivedOfType("final").stream()
                    .mapToInt(m -> m.get("index").asInt())
                    .max()
                    .orElse(-1);
        } // the connection drops mid-sentence
        assertThat(lastAck).as("acks came back for the audio sent").isGreaterThan(10);

        try (StreamingClient b = StreamingClient.connect(scenarios.wsUrl(1, token))) {
            b.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                    + "\",\"lastIndex\":" + lastIndex + ",\"nextSeq\":" + (lastAck + 1) + "}");
            assertThat(b.await("resumed", WAIT).get("nextSeq").asLong()).isEqualTo(lastAck + 1);
            for (int i = (int) lastAck + 1; i < chunks.size(); i++) {
                b.sendAudio(chunks.get(i));
                Thread.sleep(30);
            }
            b.send("{\"type\":\"end\"}");
            JsonNode completed = b.await("completed", WAIT);
            List<Integer> indexes = b.receivedOfType("final").stream()
                    .map(f -> f.get("index").asInt())
                    .toList();
            assertThat(indexes)
                    .as("the finals after the one the client had, in order")
                    .isSorted()
                    .doesNotContain(lastIndex)
                    .contains(lastIndex + 1);
            assertThat(WordErrorRate.of(
                            SpeechFixtures.reference("sentences.wav"),
                            completed.get("text").asString()))
                    .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
            assertStoredOnce(sessionId, completed.get("segments").asInt());
        }
    }

    @Test
    void aWorkerThatStopsMidUtteranceIsReplacedAndNoFinalIsLost() throws Exception {
        String token = scenarios.devToken("walt");
        List<byte[]> chunks = SpeechFixtures.chunks(SpeechFixtures.pcm("sentences.wav"), 3200);
        try (StreamingClient c = StreamingClient.connect(scenarios.wsUrl(0, token))) {
            c.send("{\"type\":\"start\"}");
            String sessionId = c.await("started", WAIT).get("sessionId").asString();
            ConfigurableApplicationContext owner = workerOwning(sessionId);
            boolean stopped = false;
            for (int i = 0; i < chunks.size(); i++) {
                c.sendAudio(chunks.get(i));
                Thread.sleep(40);
                if (!stopped && c.receivedOfType("final").size() == 2) {
                    // two sentences are out, the third is being spoken: the other worker takes the partition over
                    owner.close();
                    stopped = true;
                }
            }
            assertThat(stopped).as("the worker stopped mid-session").isTrue();
            c.send("{\"type\":\"end\"}");
            JsonNode completed = c.await("completed", WAIT);
            assertThat(WordErrorRate.of(
                            SpeechFixtures.reference("sentences.wav"),
                            completed.get("text").asString()))
                    .as(completed.toString())
                    .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
            List<Integer> indexes = c.receivedOfType("final").stream()
                    .map(f -> f.get("index").asInt())
                    .distinct()
                    .toList();
            assertThat(indexes).as("every index arrived (re-sends allowed)").containsExactly(0, 1, 2);
            assertThat(c.receivedOfType("error")).isEmpty();
            assertStoredOnce(sessionId, 3);

            // The stopping worker committed where the session stood (its replay point) as it handed the partition
            // over: the survivor read the session's start, skipped the first two sentences but their last half second,
            // recognised that as a lead-in without sending it, and went on from there.
            ConfigurableApplicationContext survivor = cluster.workers().stream()
                    .filter(w -> w != owner)
                    .findFirst()
                    .orElseThrow();
            assertThat(survivor.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                            .counter("asr.worker.events.skipped", "reason", "before_replay_point")
                            .count())
                    .as("chunks of the first two sentences skipped by the survivor")
                    .isGreaterThan(30);
            assertThat(survivor.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                            .counter("asr.worker.events.skipped", "reason", "replay_lead_in")
                            .count())
                    .as("the half second before the point recognised as the lead-in (100 ms chunks)")
                    .isBetween(4.0, 6.0);
            List<JsonNode> finals = c.receivedOfType("final");
            assertThat(finals.stream().filter(f -> f.get("index").asInt() < 2))
                    .as("finals 0 and 1 are not sent again")
                    .hasSize(2);
            for (int i = 1; i < finals.size(); i++) {
                assertThat(finals.get(i).get("startMs").asLong())
                        .as("times on the session's clock across the takeover: " + finals)
                        .isGreaterThanOrEqualTo(finals.get(i - 1).get("endMs").asLong());
            }
        }
    }

    private void assertStoredOnce(String sessionId, int segments) {
        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        List<Integer> stored = db.queryForList(
                "select seg_index from transcript_segment where session_id = ? order by seg_index",
                Integer.class,
                sessionId);
        assertThat(stored)
                .as("each final stored exactly once")
                .hasSize(segments)
                .doesNotHaveDuplicates();
        assertThat(stored)
                .containsExactlyElementsOf(
                        java.util.stream.IntStream.range(0, segments).boxed().toList());
    }

    /** The worker whose consumer holds the audio partition this session's key hashes to. */
    private ConfigurableApplicationContext workerOwning(String sessionId) {
        int partition = Utils.toPositive(Utils.murmur2(sessionId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % PARTITIONS;
        TopicPartition tp = new TopicPartition("asr.audio.v1", partition);
        for (ConfigurableApplicationContext worker : cluster.workers()) {
            for (MessageListenerContainer container :
                    worker.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
                if (container.getAssignedPartitions() != null
                        && container.getAssignedPartitions().contains(tp)) {
                    return worker;
                }
            }
        }
        throw new IllegalStateException("no worker holds " + tp + ": "
                + Arrays.toString(cluster.workers().toArray()));
    }
}
