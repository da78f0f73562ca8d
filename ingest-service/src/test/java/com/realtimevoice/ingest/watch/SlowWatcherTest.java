package com.realtimevoice.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * A watcher that never reads its socket is dropped (close 1008, once its unsent messages pass
 * INGEST_SEND_BUFFER_BYTES, as for a speaker) and never holds up the node's fan-out: another watcher of the same
 * session gets every final, in order, while it happens. The shipped limits; the results are handed to the node's
 * WatchHub as its delivery listener does.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "ingest.node-id=slow-watcher-test", "ASR_TOPIC_PARTITIONS=1"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class SlowWatcherTest {

    @LocalServerPort
    int port;

    @Autowired
    WatchTokens tokens;

    @Autowired
    WatchHub hub;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void aWatcherThatNeverReadsIsDroppedAndTheOthersGetEveryFinal() throws Exception {
        String token = tokens.issue(new WatchTokens.Claims("s-slow", "owner", 0, System.currentTimeMillis() + 600_000));
        String url = "ws://localhost:" + port + "/api/realtime-voice/watch?token=" + token;
        try (Socket slow = openNeverReading(token);
                StreamingClient good = StreamingClient.connect(url)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hub.watcherCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hub.watcherCount()).isEqualTo(2);
            hub.onEvent(new WatchSynced("s-slow", 0, "STARTED", List.of(), null, System.currentTimeMillis()));
            // 4 KB a final, 200 a second (a reading client keeps up): 2,000 of them are 8 MB, past what the kernel's
            // socket buffers take for the watcher that never reads, and then past its 512 KB outbox
            String text = "word ".repeat(800);
            long slowestCall = 0;
            for (int i = 0; i < 2000; i++) {
                long t0 = System.nanoTime();
                hub.onEvent(new TranscriptFinal("s-slow", i, text + i, i * 1000L, i * 1000L + 900, "vosk", 0, 0));
                slowestCall = Math.max(slowestCall, System.nanoTime() - t0);
                Thread.sleep(5);
            }
            assertThat(Duration.ofNanos(slowestCall))
                    .as("handing a final to both watchers never waits on the slow one")
                    .isLessThan(Duration.ofSeconds(1));

            for (int i = 0; i < 2000; i++) {
                assertThat(good.await("final", Duration.ofSeconds(20))
                                .get("index")
                                .asInt())
                        .isEqualTo(i);
            }
            // the server lets go of the connection once Tomcat gives up its close (up to its 30 s close timeout, more
            // on a loaded machine), as SlowReaderTest finds for speakers
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (hub.watcherCount() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(hub.watcherCount()).as("the slow watcher was dropped").isEqualTo(1);
            // its stuck write stays stuck while the close is in flight: the once-a-second sweep must not count it
            // again each second
            assertThat(meters.counter("ingest.watch.dropped", "reason", "slow").count())
                    .as("drops counted for one slow watcher")
                    .isLessThanOrEqualTo(1);
        }
    }

    /** A watch socket that completes its handshake and then never reads another byte. */
    private Socket openNeverReading(String token) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(2048);
        s.connect(new InetSocketAddress("localhost", port), 5000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /api/realtime-voice/watch?token=" + token + " HTTP/1.1\r\nHost: localhost:" + port
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("handshake failed: " + head);
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return s;
    }
}
