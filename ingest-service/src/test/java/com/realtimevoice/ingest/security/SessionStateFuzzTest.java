package com.realtimevoice.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.testsupport.StreamingClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Seeded random sequences of frames (valid, mutated and garbage control messages; audio frames of any size,
 * in any state) over live sockets: the session state machine answers each with a documented message, never an
 * INTERNAL error, and the node still serves a clean client afterwards. Replay a failure with -Dfuzz.seed=N.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=state-fuzz",
            "ASR_TOPIC_PARTITIONS=1",
            // limits out of the way, so the sequences reach the states rather than the rate limiter
            "INGEST_MAX_CONTROL_MESSAGES_PER_SECOND=100000",
            "INGEST_MAX_AUDIO_SPEED=1000",
            "INGEST_AUDIO_BURST=600s",
            "INGEST_MAX_SESSIONS_PER_USER=1000"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class SessionStateFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 77L);
    private static final int FRAMES = Integer.getInteger("fuzz.frames", 4_000);
    private static final Set<String> TYPES =
            Set.of("started", "partial", "final", "completed", "error", "pong", "ack", "resumed");
    /** Every documented code but INTERNAL. */
    private static final Set<String> CODES = Arrays.stream(ErrorCode.values())
            .filter(code -> code != ErrorCode.INTERNAL)
            .map(ErrorCode::name)
            .collect(Collectors.toSet());

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    @Test
    void randomFrameSequencesOnlyEverGetDocumentedAnswers() throws Exception {
        Random random = new Random(SEED);
        String url = "ws://localhost:" + port + "/api/realtime-voice/stream?token="
                + tokens.issue("fuzzer", Duration.ofMinutes(10));
        List<String> texts = List.of(
                "{\"type\":\"start\"}",
                "{\"type\":\"start\",\"interimResults\":false}",
                "{\"type\":\"end\"}",
                "{\"type\":\"stop\"}",
                "{\"type\":\"ping\"}",
                "{\"type\":\"resume\",\"sessionId\":\"x\",\"resumeToken\":\"y\",\"lastIndex\":2}",
                "{\"type\":\"start\",\"sampleRate\":8000}",
                "{\"type\":\"start\",\"format\":\"wav\"}");
        List<StreamingClient> clients = new ArrayList<>();
        List<StreamingClient> closed = new ArrayList<>();
        int sent = 0;
        try {
            for (int c = 0; c < 5; c++) {
                clients.add(StreamingClient.connect(url));
            }
            for (int i = 0; i < FRAMES; i++) {
                int slot = random.nextInt(clients.size());
                StreamingClient client = clients.get(slot);
                if (client.isClosed()) {
                    // a case that closes a socket (TOO_LARGE) ends that client: keep its answers, go on with a new one
                    closed.add(client);
                    client = StreamingClient.connect(url);
                    clients.set(slot, client);
                }
                int kind = random.nextInt(10);
                try {
                    if (kind < 4) {
                        client.send(texts.get(random.nextInt(texts.size())));
                    } else if (kind < 6) {
                        client.send(ParserFuzzTest.mutateText(random, texts.get(random.nextInt(texts.size()))));
                    } else {
                        int size = random.nextInt(200) == 0 ? 65_537 + random.nextInt(10) : random.nextInt(6400);
                        byte[] audio = new byte[size];
                        random.nextBytes(audio);
                        client.sendAudio(audio);
                    }
                    sent++;
                } catch (RuntimeException e) {
                    // the server closed this socket while we were sending: fine, recorded by its close code
                }
            }
            Thread.sleep(500);
            int answers = 0;
            List<StreamingClient> all = new ArrayList<>(clients);
            all.addAll(closed);
            for (StreamingClient client : all) {
                for (JsonNode m : client.received()) {
                    answers++;
                    assertThat(TYPES)
                            .as("seed %d: message %s", SEED, m)
                            .contains(m.path("type").asString());
                    if ("error".equals(m.path("type").asString())) {
                        assertThat(CODES)
                                .as("seed %d: error %s", SEED, m)
                                .contains(m.path("code").asString());
                    }
                }
            }
            assertThat(sent).isGreaterThan(FRAMES / 2);
            assertThat(answers).isGreaterThan(FRAMES / 10);
        } finally {
            clients.forEach(StreamingClient::close);
        }
        // The node is still fine for a clean client.
        try (StreamingClient clean = StreamingClient.connect(url)) {
            clean.send("{\"type\":\"start\"}");
            assertThat(clean.await("started", Duration.ofSeconds(10))
                            .get("sessionId")
                            .asString())
                    .isNotBlank();
        }
    }
}
