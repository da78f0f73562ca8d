package com.realtimevoice.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.UnansweringSocket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * A watch socket whose client answers no ping (a dead or half-open connection) is closed after INGEST_PONG_TIMEOUT
 * and leaves the node's watcher count, like a speaker's; a quiet watcher whose WebSocket answers pings stays. The
 * heartbeat and the timeout are shrunk through their variables so that the test takes seconds.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=watch-pong-test",
            "ASR_TOPIC_PARTITIONS=1",
            "INGEST_HEARTBEAT_INTERVAL=1s",
            "INGEST_PONG_TIMEOUT=2s"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class WatcherPongTimeoutTest {

    @LocalServerPort
    int port;

    @Autowired
    WatchTokens tokens;

    @Autowired
    WatchHub hub;

    @Autowired
    MeterRegistry meters;

    @Test
    void aWatcherThatAnswersNoPingIsDroppedAndAQuietOneThatDoesStays() throws Exception {
        String token = tokens.issue(new WatchTokens.Claims("s-pong", "owner", 0, System.currentTimeMillis() + 600_000));
        try (StreamingClient quiet =
                        StreamingClient.connect("ws://localhost:" + port + "/api/realtime-voice/watch?token=" + token);
                UnansweringSocket silent = UnansweringSocket.open(port, "/api/realtime-voice/watch?token=" + token)) {
            UnansweringSocket.Closed closed = silent.awaitClose();
            assertThat(closed.pings()).isGreaterThanOrEqualTo(1);
            assertThat(closed.code()).isEqualTo(1001);
            // the first ping within the 1 s heartbeat, 2 s without an answer, then the once-a-second sweep
            assertThat(closed.seconds()).as("seconds until the close").isBetween(2.0, 8.0);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hub.watcherCount() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hub.watcherCount()).as("only the quiet watcher is left").isEqualTo(1);
            Counter dropped =
                    meters.find("ingest.watch.dropped").tag("reason", "no_pong").counter();
            assertThat(dropped).isNotNull();
            assertThat(dropped.count()).isEqualTo(1.0);
            assertThat(quiet.isClosed()).isFalse();
            quiet.send("{\"type\":\"ping\"}");
            quiet.await("pong", Duration.ofSeconds(10));
        }
    }
}
