package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/** Every configurable limit of a connection, shrunk so that a test can reach it, and the error it gives. */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=limits-test",
            "ASR_TOPIC_PARTITIONS=1",
            "INGEST_AUTH_TIMEOUT=1s",
            "INGEST_IDLE_TIMEOUT=1500ms",
            "INGEST_MAX_SESSION_DURATION=3s",
            "INGEST_MAX_AUDIO_SPEED=4",
            "INGEST_AUDIO_BURST=2s",
            "INGEST_MAX_CONTROL_MESSAGES_PER_SECOND=10",
            "INGEST_MAX_SESSIONS_PER_USER=2",
            "INGEST_ALLOWED_ORIGINS=https://good.example",
            "INGEST_HEARTBEAT_INTERVAL=1s",
            "INGEST_PONG_TIMEOUT=2s"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class StreamLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private String url(String user) {
        return "ws://localhost:" + port + "/api/realtime-voice/stream"
                + (user == null ? "" : "?token=" + tokens.issue(user, Duration.ofMinutes(5)));
    }

    @Test
    void aConnectionWithoutATokenIsClosedAfterTheAuthTimeout() throws Exception {
        try (StreamingClient c = StreamingClient.connect(url(null))) {
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNAUTHORIZED");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
        }
    }

    @Test
    void anExpiredTokenClosesTheConnectionWithItsOwnCode() throws Exception {
        String shortLived = tokens.issue("tina", Duration.ofSeconds(2));
        try (StreamingClient c =
                StreamingClient.connect("ws://localhost:" + port + "/api/realtime-voice/stream?token=" + shortLived)) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            // Audio keeps the idle timeout (1.5 s) away: the token's expiry is whole seconds, so it may come later.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (c.receivedOfType("error").isEmpty() && System.nanoTime() < deadline) {
                c.sendAudio(new byte[3200]);
                Thread.sleep(200);
            }
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("TOKEN_EXPIRED");
            assertThat(c.awaitClose(WAIT)).isEqualTo(4001);
        }
    }

    @Test
    void aSessionWithoutAudioIsEndedAfterTheIdleTimeout() throws Exception {
        try (StreamingClient c = StreamingClient.connect(url("ivan"))) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            c.sendAudio(new byte[3200]);
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("IDLE_TIMEOUT");
            c.sendAudio(new byte[3200]);
            assertThat(c.await("error", WAIT).get("message").asString()).contains("audio after end");
        }
    }

    @Test
    void aSessionPastTheMaximumDurationIsEnded() throws Exception {
        try (StreamingClient c = StreamingClient.connect(url("mona"))) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until && c.receivedOfType("error").isEmpty()) {
                c.sendAudio(new byte[3200]);
                Thread.sleep(100);
            }
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("MAX_DURATION");
        }
    }

    @Test
    void audioMuchFasterThanRealTimeIsRefused() throws Exception {
        try (StreamingClient c = StreamingClient.connect(url("fred"))) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            for (int i = 0; i < 10 && c.receivedOfType("error").isEmpty(); i++) {
                c.sendAudio(new byte[32000]); // 1 s of audio each, all at once: 2 s burst allowed
            }
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("RATE_LIMITED");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
        }
    }

    @Test
    void aFloodOfControlMessagesIsRateLimited() throws Exception {
        try (StreamingClient c = StreamingClient.connect(url("flo"))) {
            for (int i = 0; i < 30; i++) {
                c.send("{\"type\":\"ping\"}");
            }
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("RATE_LIMITED");
            Thread.sleep(1100);
            c.send("{\"type\":\"ping\"}");
            c.await("pong", WAIT);
            assertThat(c.receivedOfType("pong").size()).isLessThan(30);
        }
    }

    @Test
    void tooManyConcurrentSessionsForOneUserAreRefused() throws Exception {
        try (StreamingClient a = StreamingClient.connect(url("sam"));
                StreamingClient b = StreamingClient.connect(url("sam"));
                StreamingClient c = StreamingClient.connect(url("sam"))) {
            a.send("{\"type\":\"start\"}");
            a.await("started", WAIT);
            b.send("{\"type\":\"start\"}");
            b.await("started", WAIT);
            c.send("{\"type\":\"start\"}");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("RATE_LIMITED");
        }
    }

    @Test
    void browserOriginsAreCheckedAndClientsWithoutOneRelyOnTheToken() throws Exception {
        try (StreamingClient ok = StreamingClient.connect(url("olga"), Map.of("Origin", "https://good.example"))) {
            ok.send("{\"type\":\"ping\"}");
            ok.await("pong", WAIT);
        }
        assertThatThrownBy(() -> StreamingClient.connect(url("olga"), Map.of("Origin", "https://evil.example")))
                .hasStackTraceContaining("403");
        try (StreamingClient none = StreamingClient.connect(url("olga"))) {
            none.send("{\"type\":\"ping\"}");
            none.await("pong", WAIT);
        }
    }

    /**
     * A client whose network went away without a FIN (a phone that changed networks) or that no longer answers:
     * every WebSocket client answers a ping by itself, so one that sends nothing after a ping is closed once
     * INGEST_PONG_TIMEOUT has passed, and its socket and session slots are free again.
     */
    @Test
    void aSocketThatAnswersNoPingIsClosedAfterThePongTimeout() throws Exception {
        double before = droppedWithoutPong();
        try (com.realtimevoice.testsupport.UnansweringSocket raw = com.realtimevoice.testsupport.UnansweringSocket.open(
                port, "/api/realtime-voice/stream?token=" + tokens.issue("dora", Duration.ofMinutes(5)))) {
            raw.sendText("{\"type\":\"start\"}");
            var closed = raw.awaitClose();
            assertThat(closed.pings()).as("pings before the close").isGreaterThanOrEqualTo(1);
            assertThat(closed.code()).isEqualTo(1001);
            // the first ping within the 1 s heartbeat, then 2 s without an answer, then the once-a-second sweep
            assertThat(closed.seconds()).as("seconds until the close").isBetween(2.0, 8.0);
        }
        assertThat(droppedWithoutPong() - before).isEqualTo(1.0);
        // the user's slots are free: two sessions (the limit here) start at once
        try (StreamingClient a = StreamingClient.connect(url("dora"));
                StreamingClient b = StreamingClient.connect(url("dora"))) {
            a.send("{\"type\":\"start\"}");
            b.send("{\"type\":\"start\"}");
            a.await("started", WAIT);
            b.await("started", WAIT);
        }
    }

    /** A quiet client is not a dead one: the JDK's WebSocket answers pings by itself, and that is enough. */
    @Test
    void aQuietClientThatAnswersPingsStaysOpen() throws Exception {
        double before = droppedWithoutPong();
        try (StreamingClient quiet = StreamingClient.connect(url("quinn"))) {
            Thread.sleep(5000); // five heartbeats, more than twice the pong timeout
            assertThat(quiet.isClosed()).isFalse();
            quiet.send("{\"type\":\"ping\"}");
            quiet.await("pong", WAIT);
        }
        assertThat(droppedWithoutPong()).isEqualTo(before);
    }

    private double droppedWithoutPong() {
        var counter =
                meters.find("ingest.sockets.dropped").tag("reason", "no_pong").counter();
        return counter == null ? 0 : counter.count();
    }
}
