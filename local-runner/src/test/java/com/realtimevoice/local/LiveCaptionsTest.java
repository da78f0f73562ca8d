package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Live captions (issue 23) on the embedded pipeline with two ingest nodes and the shipped settings: watchers on
 * either node see the speaker's finals exactly once, in order, caught up and then live; a node's delivery topic
 * carries each result once however many watchers it holds; bad tokens are refused at the handshake; revoking closes
 * watchers; a watcher resumes on the other node from the last index it saw.
 */
class LiveCaptionsTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    void startCluster() {
        start(settings(DATABASE).withNodes(2, 1, 1));
    }

    @Test
    void watchersOnBothNodesSeeEveryFinalOnceThenCompletedAndEachNodeGetsEachResultOnce() throws Exception {
        String owner = scenarios.devToken("teacher");
        try (StreamingClient speaker = StreamingClient.connect(scenarios.wsUrl(0, owner))) {
            speaker.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000}");
            String sessionId = speaker.await("started", Duration.ofSeconds(20))
                    .get("sessionId")
                    .asString();

            // asked at once, through the other node: the link waits for the session to be stored
            JsonNode link = createWatchers(1, sessionId, owner);
            String url = link.get("url").asString();
            assertThat(url).startsWith("ws://localhost:" + cluster.ingestPort(1) + "/api/realtime-voice/watch?token=");
            assertThat(link.get("expiresAt").asString()).isNotBlank();
            String token = link.get("watchToken").asString();

            List<StreamingClient> watchers = new ArrayList<>();
            watchers.add(StreamingClient.connect(watchUrl(0, token))); // on the speaker's node
            watchers.add(StreamingClient.connect(watchUrl(1, token)));
            byte[] pcm = SpeechFixtures.pcm("sentences.wav");
            speaker.streamPcm(java.util.Arrays.copyOf(pcm, pcm.length / 2), 2.0);
            watchers.add(StreamingClient.connect(watchUrl(1, token))); // mid-stream: caught up, then live
            watchers.add(StreamingClient.connect(watchUrl(0, token)));
            speaker.streamPcm(java.util.Arrays.copyOfRange(pcm, pcm.length / 2, pcm.length), 2.0);
            speaker.send("{\"type\":\"end\"}");
            JsonNode completed = speaker.await("completed", Duration.ofSeconds(90));
            List<JsonNode> speakerFinals = lastPerIndex(speaker.receivedOfType("final"));
            assertThat(speakerFinals).isNotEmpty();

            watchers.add(
                    StreamingClient.connect(watchUrl(1, token))); // after the end: the stored finals, then completed
            for (StreamingClient watcher : watchers) {
                JsonNode watched = watcher.await("completed", Duration.ofSeconds(30));
                assertThat(watched.get("text").asString())
                        .isEqualTo(completed.get("text").asString());
                List<JsonNode> finals = watcher.receivedOfType("final");
                assertThat(finals.stream().map(f -> f.get("index").asInt()).toList())
                        .as("each final once, in order")
                        .isEqualTo(speakerFinals.stream()
                                .map(f -> f.get("index").asInt())
                                .toList());
                assertThat(finals.stream().map(f -> f.get("text").asString()).toList())
                        .isEqualTo(speakerFinals.stream()
                                .map(f -> f.get("text").asString())
                                .toList());
                assertThat(watcher.receivedOfType("ack")).isEmpty();
                assertThat(watcher.receivedOfType("started")).isEmpty();
                assertThat(watcher.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
                watcher.close();
            }

            // node 1 held three watchers and got each final of the session once (plus its catch-ups)
            String topic1 =
                    cluster.ingestNodes().get(1).getBean(IngestNode.class).deliveryTopic();
            List<ConsumerRecord<String, byte[]>> onNode1 = recordsOf(topic1, sessionId);
            long finalsOnNode1 = onNode1.stream()
                    .filter(r -> EventType.TRANSCRIPT_FINAL.token().equals(type(r)))
                    .count();
            assertThat(finalsOnNode1)
                    .as("finals on node 1's topic")
                    .isLessThanOrEqualTo(speaker.receivedOfType("final").size());
            assertThat(onNode1.stream()
                            .filter(r -> EventType.WATCH_SYNCED.token().equals(type(r)))
                            .count())
                    .as("one catch-up per registration: the first watcher, and the one after the end")
                    .isEqualTo(2);
        }
    }

    @Test
    void badTokensAreRefusedAtTheHandshakeAndOnlyTheOwnerMayShare() throws Exception {
        String owner = scenarios.devToken("owner-2");
        PipelineScenarios.Streamed s = scenarios.stream(0, owner, "numbers.wav", 4.0);
        String token = createWatchers(0, s.sessionId(), owner).get("watchToken").asString();

        assertThat(post(0, "/api/sessions/" + s.sessionId() + "/watchers", scenarios.devToken("mallory"))
                        .statusCode())
                .isEqualTo(404);
        assertThat(post(0, "/api/sessions/" + s.sessionId() + "/watchers", null).statusCode())
                .isEqualTo(401);
        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (String bad : List.of(forged, owner, "x", "")) { // a user's own JWT is not a watch token
            assertThatThrownBy(() -> StreamingClient.connect(watchUrl(1, bad)))
                    .isInstanceOf(CompletionException.class)
                    .hasStackTraceContaining("401");
        }
        assertThatThrownBy(() -> StreamingClient.connect(watchUrl(1, token) + "&lastIndex=-7"))
                .isInstanceOf(CompletionException.class)
                .hasStackTraceContaining("400");

        // a watcher cannot send audio or control the session
        try (StreamingClient watcher = StreamingClient.connect(watchUrl(1, token))) {
            watcher.await("completed", Duration.ofSeconds(20));
        }
        try (StreamingClient watcher = StreamingClient.connect(
                watchUrl(1, token) + "&lastIndex=" + (s.finals().size() - 1))) {
            JsonNode done = watcher.await("completed", Duration.ofSeconds(20));
            assertThat(watcher.receivedOfType("final"))
                    .as("resumed after the last final it saw")
                    .isEmpty();
            assertThat(done.get("text").asString())
                    .isEqualTo(s.completed().get("text").asString());
        }
    }

    @Test
    void revokingClosesOpenWatchersAndRefusesTheirTokensAndAWatcherResumesOnTheOtherNode() throws Exception {
        String owner = scenarios.devToken("owner-3");
        try (StreamingClient speaker = StreamingClient.connect(scenarios.wsUrl(0, owner))) {
            speaker.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000}");
            String sessionId = speaker.await("started", Duration.ofSeconds(20))
                    .get("sessionId")
                    .asString();
            String token = createWatchers(0, sessionId, owner).get("watchToken").asString();
            byte[] pcm = SpeechFixtures.pcm("sentences.wav");

            StreamingClient onA = StreamingClient.connect(watchUrl(0, token));
            speaker.streamPcm(java.util.Arrays.copyOf(pcm, pcm.length / 2), 3.0);
            speaker.send("{\"type\":\"flush\"}");
            JsonNode first = onA.await("final", Duration.ofSeconds(30));
            int seen = first.get("index").asInt();
            onA.close(); // its node "went away": the watcher resumes on the other node from what it saw
            try (StreamingClient onB = StreamingClient.connect(watchUrl(1, token) + "&lastIndex=" + seen)) {
                speaker.streamPcm(java.util.Arrays.copyOfRange(pcm, pcm.length / 2, pcm.length), 3.0);
                speaker.send("{\"type\":\"flush\"}");
                JsonNode next = onB.await("final", Duration.ofSeconds(30));
                assertThat(next.get("index").asInt()).isEqualTo(seen + 1);

                HttpResponse<String> revoked = delete(1, "/api/sessions/" + sessionId + "/watchers", owner);
                assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(204);
                assertThat(onB.awaitClose(Duration.ofSeconds(10))).isEqualTo(4001);
            }
            try (StreamingClient again = StreamingClient.connect(watchUrl(0, token))) {
                JsonNode error = again.await("error", Duration.ofSeconds(20));
                assertThat(error.get("code").asString()).isEqualTo("UNAUTHORIZED");
                assertThat(again.awaitClose(Duration.ofSeconds(10))).isEqualTo(4001);
            }
            // a new link works again
            String fresh = createWatchers(1, sessionId, owner).get("watchToken").asString();
            try (StreamingClient watcher = StreamingClient.connect(watchUrl(0, fresh))) {
                speaker.send("{\"type\":\"end\"}");
                speaker.await("completed", Duration.ofSeconds(60));
                watcher.await("completed", Duration.ofSeconds(30));
            }
        }
    }

    private String watchUrl(int node, String token) {
        return "ws://localhost:" + cluster.ingestPort(node) + "/api/realtime-voice/watch?token=" + token;
    }

    private JsonNode createWatchers(int node, String sessionId, String token) throws Exception {
        HttpResponse<String> r = post(node, "/api/sessions/" + sessionId + "/watchers", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StreamingClient.JSON.readTree(r.body());
    }

    private HttpResponse<String> post(int node, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scenarios.baseUrl(node) + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(int node, String path, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(scenarios.baseUrl(node) + path))
                        .DELETE()
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The finals by index, the last one of each (a final may be re-sent after a failover). */
    private static List<JsonNode> lastPerIndex(List<JsonNode> finals) {
        java.util.TreeMap<Integer, JsonNode> byIndex = new java.util.TreeMap<>();
        finals.forEach(f -> byIndex.put(f.get("index").asInt(), f));
        return new ArrayList<>(byIndex.values());
    }

    private static String type(ConsumerRecord<String, byte[]> r) {
        return EventRecords.header(r.headers(), com.realtimevoice.events.EventHeaders.TYPE);
    }

    private List<ConsumerRecord<String, byte[]>> recordsOf(String topic, String sessionId) {
        return recordsOn(topic).stream().filter(r -> sessionId.equals(r.key())).toList();
    }
}
