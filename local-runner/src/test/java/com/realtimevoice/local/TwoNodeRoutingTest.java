package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Two ingest nodes and two workers: each client gets only its own session's results, on its own node,
 * and each node's delivery topic carries only that node's sessions (no broadcast).
 */
class TwoNodeRoutingTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    @BeforeAll
    void startCluster() {
        start(settings(DATABASE).withNodes(2, 2, 1));
    }

    @Test
    void eachClientReceivesOnlyItsOwnResultsOnItsOwnNode() throws Exception {
        String carol = scenarios.devToken("carol");
        String dave = scenarios.devToken("dave");
        CompletableFuture<PipelineScenarios.Streamed> onA =
                CompletableFuture.supplyAsync(() -> run(0, carol, "numbers.wav"));
        CompletableFuture<PipelineScenarios.Streamed> onB =
                CompletableFuture.supplyAsync(() -> run(1, dave, "sentences.wav"));
        PipelineScenarios.Streamed a = onA.get();
        PipelineScenarios.Streamed b = onB.get();

        assertThat(a.sessionId()).isNotEqualTo(b.sessionId());
        for (JsonNode m : a.all()) {
            assertThat(m.path("sessionId").asString())
                    .as("node A client sees only its session: %s", m)
                    .isEqualTo(a.sessionId());
        }
        for (JsonNode m : b.all()) {
            assertThat(m.path("sessionId").asString())
                    .as("node B client sees only its session: %s", m)
                    .isEqualTo(b.sessionId());
        }
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("numbers.wav"),
                        a.completed().get("text").asString()))
                .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("sentences.wav"),
                        b.completed().get("text").asString()))
                .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);

        String topicA = cluster.ingestNodes().get(0).getBean(IngestNode.class).deliveryTopic();
        String topicB = cluster.ingestNodes().get(1).getBean(IngestNode.class).deliveryTopic();
        assertThat(topicA).isNotEqualTo(topicB).startsWith(Topics.DELIVERY_PREFIX);
        assertThat(sessionsOn(topicA)).containsExactly(a.sessionId());
        assertThat(sessionsOn(topicB)).containsExactly(b.sessionId());
    }

    private PipelineScenarios.Streamed run(int node, String token, String fixture) {
        try {
            return scenarios.stream(node, token, fixture, 2.0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The session keys of every record on a delivery topic, read from the beginning. */
    private Set<String> sessionsOn(String topic) {
        return recordsOn(topic).stream().map(ConsumerRecord::key).collect(Collectors.toSet());
    }
}
