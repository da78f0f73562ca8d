package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;

/**
 * Per-user limits hold across sockets, reconnects and uploads (issue 19): a bad token in {@code start} holds no
 * session slot, the audio budget and the session duration go on across {@code resume}, a token already expired is
 * refused at once, open sockets per user are capped, and {@code /recognize} counts as a session. Runs outside the
 * local profile, where an allowed-Origins value of {@code *} is warned about at start.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=per-user-test",
            "ASR_TOPIC_PARTITIONS=1",
            "AUTH_JWT_SECRET=per-user-limits-secret-0123456789abcdef",
            "INGEST_MAX_SESSIONS_PER_USER=2",
            "INGEST_MAX_SOCKETS_PER_USER=3",
            "INGEST_AUDIO_BURST=2s",
            "INGEST_MAX_AUDIO_SPEED=4",
            "INGEST_MAX_SESSION_DURATION=4s",
            "INGEST_RECOGNIZE_TIMEOUT=3s"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class PerUserLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    private String url() {
        return "ws://localhost:" + port + "/api/realtime-voice/stream";
    }

    private StreamingClient connect(String user) {
        return StreamingClient.connect(url() + "?token=" + tokens.issue(user, Duration.ofMinutes(5)));
    }

    @Test
    void aStartWithABadTokenOnAHeaderAuthenticatedSocketHoldsNoSessionSlot() throws Exception {
        Map<String, String> header = Map.of("Authorization", "Bearer " + tokens.issue("hank", Duration.ofMinutes(5)));
        for (int i = 0; i < 3; i++) {
            try (StreamingClient c = StreamingClient.connect(url(), header)) {
                c.send("{\"type\":\"start\",\"token\":\"not-a-token\"}");
                assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNAUTHORIZED");
                assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
                Thread.sleep(200);
                assertThat(c.receivedOfType("started"))
                        .as("no session runs for a refused token")
                        .isEmpty();
            }
        }
        try (StreamingClient a = StreamingClient.connect(url(), header);
                StreamingClient b = StreamingClient.connect(url(), header)) {
            a.send("{\"type\":\"start\"}");
            a.await("started", WAIT);
            b.send("{\"type\":\"start\"}");
            b.await("started", WAIT);
            assertThat(a.receivedOfType("error")).isEmpty();
            assertThat(b.receivedOfType("error"))
                    .as("both of the user's slots are free")
                    .isEmpty();
        }
    }

    @Test
    void resumingDoesNotRefillTheAudioBudget() throws Exception {
        String token = tokens.issue("rosa", Duration.ofMinutes(5));
        String sessionId;
        String resumeToken;
        long nextSeq = 0;
        try (StreamingClient c = StreamingClient.connect(url() + "?token=" + token)) {
            c.send("{\"type\":\"start\"}");
            JsonNode started = c.await("started", WAIT);
            sessionId = started.get("sessionId").asString();
            resumeToken = started.get("resumeToken").asString();
            c.sendAudio(new byte[48000]); // 1.5 s at once: inside the 2 s burst
            nextSeq++;
            Thread.sleep(200);
            assertThat(c.receivedOfType("error")).isEmpty();
        }
        // The attack of issue 19: reconnect, resume, send 1.9 s at once again, and again: each socket alone is within
        // its 2 s burst, together they run far ahead of 4x real time.
        String refusal = null;
        for (int round = 0; round < 8 && refusal == null; round++) {
            try (StreamingClient c = StreamingClient.connect(url() + "?token=" + token)) {
                c.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                        + "\",\"lastIndex\":-1,\"nextSeq\":" + nextSeq + "}");
                c.await("resumed", WAIT);
                c.sendAudio(new byte[32000]);
                c.sendAudio(new byte[28800]);
                nextSeq += 2;
                Thread.sleep(150);
                refusal = c.receivedOfType("error").stream()
                        .map(e -> e.get("code").asString())
                        .findFirst()
                        .orElse(null);
            }
        }
        assertThat(refusal).as("the budget carried across resumes runs out").isEqualTo("RATE_LIMITED");
    }

    @Test
    void theMaximumDurationRunsFromTheSessionsStartAcrossAResume() throws Exception {
        String token = tokens.issue("dina", Duration.ofMinutes(5));
        long began = System.nanoTime();
        String sessionId;
        String resumeToken;
        try (StreamingClient c = StreamingClient.connect(url() + "?token=" + token)) {
            c.send("{\"type\":\"start\"}");
            JsonNode started = c.await("started", WAIT);
            sessionId = started.get("sessionId").asString();
            resumeToken = started.get("resumeToken").asString();
            for (int i = 0; i < 20; i++) {
                c.sendAudio(new byte[3200]);
                Thread.sleep(100);
            }
        }
        try (StreamingClient c = StreamingClient.connect(url() + "?token=" + token)) {
            c.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                    + "\",\"lastIndex\":-1,\"nextSeq\":20}");
            c.await("resumed", WAIT);
            long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < until && c.receivedOfType("error").isEmpty()) {
                c.sendAudio(new byte[3200]);
                Thread.sleep(100);
            }
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("MAX_DURATION");
            // 4 s from the start, not from the resume (~2 s later), plus the once-a-second check and a loaded machine
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofMillis(5800));
        }
    }

    @Test
    void aTokenAlreadyExpiredIsRefusedAtOnceEvenInsideTheLeeway() throws Exception {
        String expired = tokens.issue("eve", Duration.ofSeconds(-5)); // inside the 30 s clock-skew leeway
        try (StreamingClient c = StreamingClient.connect(url() + "?token=" + expired)) {
            JsonNode error = c.await("error", WAIT);
            assertThat(error.get("code").asString())
                    .as("a clear refusal, not an admit and a TOKEN_EXPIRED")
                    .isEqualTo("UNAUTHORIZED");
            assertThat(error.get("message").asString()).contains("expired");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
        }
    }

    @Test
    void openSocketsPerUserAreCapped() throws Exception {
        List<StreamingClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                StreamingClient c = connect("ivy");
                held.add(c);
                c.send("{\"type\":\"ping\"}");
                c.await("pong", WAIT);
            }
            try (StreamingClient fourth = connect("ivy")) {
                assertThat(fourth.await("error", WAIT).get("code").asString()).isEqualTo("RATE_LIMITED");
                assertThat(fourth.awaitClose(WAIT)).isEqualTo(1008);
            }
            try (StreamingClient other = connect("otto")) {
                other.send("{\"type\":\"start\"}");
                other.await("started", WAIT);
            }
            held.remove(0).close();
            Thread.sleep(300);
            try (StreamingClient again = connect("ivy")) {
                again.send("{\"type\":\"start\"}");
                again.await("started", WAIT);
                assertThat(again.receivedOfType("error"))
                        .as("a closed socket frees its place")
                        .isEmpty();
            }
        } finally {
            held.forEach(StreamingClient::close);
        }
    }

    @Test
    void uploadsCountTowardsTheConcurrentSessionLimit() throws Exception {
        try (StreamingClient a = connect("uma");
                StreamingClient b = connect("uma")) {
            a.send("{\"type\":\"start\"}");
            a.await("started", WAIT);
            b.send("{\"type\":\"start\"}");
            b.await("started", WAIT);
            HttpResponse<String> r = upload(tokens.issue("uma", Duration.ofMinutes(5)));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.body()).contains("\"code\":\"RATE_LIMITED\"");
        }
    }

    @Test
    void aWildcardOfOriginsIsWarnedAboutOutsideTheLocalProfile(CapturedOutput output) {
        assertThat(output.getAll()).contains("INGEST_ALLOWED_ORIGINS is '*'");
    }

    private HttpResponse<String> upload(String token) throws Exception {
        String boundary = "b0undary";
        byte[] pcm = new byte[3200];
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.pcm\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        byte[] body = new byte[head.length() + pcm.length + tail.length()];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, body, 0, head.length());
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, body, head.length() + pcm.length, tail.length());
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/realtime-voice/recognize"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
