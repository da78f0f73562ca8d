package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * Issue 19 defect 8: clients that never read their socket (raw TCP, a tiny receive buffer) while they make the server
 * write to them as fast as it can; meanwhile another user streams, and its acks keep coming. The slow readers are
 * closed once their unsent messages pass INGEST_SEND_BUFFER_BYTES (or a write waits past INGEST_SEND_TIME_LIMIT).
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=slow-reader-test",
            "ASR_TOPIC_PARTITIONS=1",
            // logging only: failed sends and closes, as evidence if a slow reader is ever held again
            "logging.level.com.realtimevoice.ingest.stream.StreamConnection=DEBUG"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class SlowReaderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofSeconds(20);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(90);

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    @Autowired
    StreamSessions sessions;

    @Test
    void aClientThatNeverReadsDoesNotStallOtherUsersAcks() throws Exception {
        java.util.Map<String, String> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<Socket> raws = new ArrayList<>();
        try (StreamingClient good = StreamingClient.connect("ws://localhost:" + port
                + "/api/realtime-voice/stream?token=" + tokens.issue("gina", Duration.ofMinutes(5)))) {
            good.send("{\"type\":\"start\"}");
            good.await("started", WAIT);
            for (int i = 0; i < 3; i++) {
                Socket raw = openNeverReading(tokens.issue("slow" + i, Duration.ofMinutes(5)));
                raws.add(raw);
                String name = "slow" + i;
                Thread flood = new Thread(() -> flood(raw, name, outcomes), "slow-reader-" + i);
                flood.setDaemon(true);
                flood.start();
            }
            streamsWithAcksAllAlong(good);
            // Seen twice in CI under heavy load (2026-12): a slow reader the server had stopped reading, with nothing
            // left to write to it, so neither send limit applied. Slow readers are normally gone 1-2 s into the window;
            // one still held now is that case: keep the evidence (Tomcat's read state) before anything closes it.
            if (slowReadersHeld() > 0) {
                System.out.println(dump("slow readers still held at the end of the window"));
            }
            // The server's side is what counts: it let go of the slow readers' connections. (Whether the client's
            // next write fails at once depends on when Tomcat drops the TCP connection after its close frame: up to
            // its 30 s close timeout, longer on a loaded machine; that is only reported below.) A socket the server
            // stopped reading is closed by INGEST_PONG_TIMEOUT, its pong never being read: within a heartbeat (25 s)
            // and the timeout (30 s) of the stall, inside CLOSE_WAIT.
            long closeDeadline = System.currentTimeMillis() + CLOSE_WAIT.toMillis();
            while (slowReadersHeld() > 0 && System.currentTimeMillis() < closeDeadline) {
                Thread.sleep(100);
            }
            if (slowReadersHeld() > 0) {
                System.out.println(dump("slow readers still held after " + CLOSE_WAIT.toSeconds() + " s more"));
            }
            assertThat(slowReadersHeld())
                    .as("slow readers' connections still held by the server (clients saw: %s)", outcomes)
                    .isZero();
        } finally {
            for (Socket raw : raws) {
                raw.close();
            }
        }
    }

    /**
     * A client that never reads fills its socket with WebSocket pings (Tomcat answers each with a pong of the same
     * 125 bytes, written outside any outbox) while acks for its audio are due. Acks are flushed for every session by
     * one shared task: a send that blocked on this socket once held up every other user's acks.
     */
    @Test
    void pongsFillingASlowReadersSocketDoNotStallOtherUsersAcks() throws Exception {
        try (StreamingClient good = StreamingClient.connect("ws://localhost:" + port
                        + "/api/realtime-voice/stream?token=" + tokens.issue("gus", Duration.ofMinutes(5)));
                Socket raw = openNeverReading(tokens.issue("pinger", Duration.ofMinutes(5)))) {
            good.send("{\"type\":\"start\"}");
            good.await("started", WAIT);
            Thread pings = new Thread(() -> pingWithAudio(raw), "pinger");
            pings.setDaemon(true);
            pings.start();
            streamsWithAcksAllAlong(good);
        }
    }

    /** Streams as a live client does for {@link #WINDOW}: the next ack never waits long. */
    private static void streamsWithAcksAllAlong(StreamingClient good) throws Exception {
        long end = System.nanoTime() + WINDOW.toNanos();
        long lastAckAt = System.nanoTime();
        long maxGap = 0;
        int acks = 0;
        long nextChunk = System.nanoTime();
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextChunk) {
                good.sendAudio(new byte[3200]);
                nextChunk += 100_000_000L;
            }
            int now = good.receivedOfType("ack").size();
            if (now > acks) {
                acks = now;
                lastAckAt = System.nanoTime();
            }
            maxGap = Math.max(maxGap, System.nanoTime() - lastAckAt);
            Thread.sleep(10);
        }
        assertThat(Duration.ofNanos(maxGap))
                .as("longest wait for the next ack (%d acks)", acks)
                .isLessThan(Duration.ofSeconds(2));
        assertThat(acks).as("acks came all along").isGreaterThan(40);
    }

    /** Batches of 400 pings, each followed by audio so that acks are due to this socket whenever it is full. */
    private static void pingWithAudio(Socket raw) {
        byte[] ping = frame(0x9, new byte[125]);
        byte[] batch = new byte[ping.length * 400];
        for (int i = 0; i < 400; i++) {
            System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
        }
        byte[] audio = frame(0x2, new byte[3200]);
        long end = System.nanoTime() + WINDOW.toNanos();
        try {
            OutputStream out = raw.getOutputStream();
            while (System.nanoTime() < end) {
                out.write(batch);
                out.write(audio);
                out.flush();
            }
        } catch (IOException e) {
            // the server closed it: a slow reader is dropped
        }
    }

    /** A WebSocket that completes its handshake and starts a session, and then never reads another byte. */
    private Socket openNeverReading(String token) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(2048);
        s.connect(new InetSocketAddress("localhost", port), 5000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /api/realtime-voice/stream?token=" + token + " HTTP/1.1\r\nHost: localhost:" + port
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("handshake failed: " + head);
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        out.write(frame(0x1, "{\"type\":\"start\"}".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 5; i++) {
            out.write(frame(0x2, new byte[3200])); // audio: acks for it are due to this socket too
        }
        out.flush();
        return s;
    }

    /** Every thread's stack, and each connection's outbox and Tomcat's state, for a socket held too long. */
    private String dump(String why) {
        StringBuilder dump = new StringBuilder("SlowReaderTest: " + why + "; threads:\n");
        Thread.getAllStackTraces().forEach((t, st) -> {
            dump.append(t.getName()).append(' ').append(t.getState()).append('\n');
            for (StackTraceElement e : st) {
                dump.append("    at ").append(e).append('\n');
            }
        });
        sessions.forEach(c -> dump.append("connection ")
                .append(c)
                .append(' ')
                .append(containerState(c))
                .append('\n'));
        return dump.toString();
    }

    /** Tomcat's side of a held socket: its frame reader's state and what the selector waits for (diagnostics). */
    private static String containerState(StreamConnection c) {
        try {
            Object ws = ((org.springframework.web.socket.adapter.NativeWebSocketSession) c.socket())
                    .getNativeSession(jakarta.websocket.Session.class);
            Object frame = field(ws, "wsFrame");
            Object wrapper = field(frame, "socketWrapper");
            Object readState = field(frame, "readState");
            Object ops = wrapper.getClass().getMethod("interestOps").invoke(wrapper);
            Object poller = wrapper.getClass().getMethod("getPoller").invoke(wrapper);
            java.nio.channels.Selector selector = (java.nio.channels.Selector)
                    poller.getClass().getMethod("getSelector").invoke(poller);
            Object channel = wrapper.getClass().getMethod("getSocket").invoke(wrapper);
            java.nio.channels.SocketChannel sc = (java.nio.channels.SocketChannel)
                    channel.getClass().getMethod("getIOChannel").invoke(channel);
            java.nio.channels.SelectionKey key = sc.keyFor(selector);
            return "tomcat[readState=" + readState + " wrapperOps=" + ops + " keyOps="
                    + (key == null
                            ? "none"
                            : key.isValid() ? key.interestOps() + " ready=" + key.readyOps() : "cancelled")
                    + " closed=" + wrapper.getClass().getMethod("isClosed").invoke(wrapper) + "]";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "tomcat[" + e + "]";
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            try {
                java.lang.reflect.Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    /** Connections of the three never-reading users the server still holds. */
    private int slowReadersHeld() {
        int[] held = {0};
        sessions.forEach(c -> {
            String user = c.userId();
            if (user != null && user.startsWith("slow")) {
                held[0]++;
            }
        });
        return held[0];
    }

    /** One-byte audio frames (odd, so each is answered with an error) as fast as the server takes them. */
    private static void flood(Socket raw, String name, java.util.Map<String, String> outcomes) {
        long started = System.nanoTime();
        byte[] oneByte = frame(0x2, new byte[1]);
        byte[] batch = new byte[oneByte.length * 100];
        for (int i = 0; i < 100; i++) {
            System.arraycopy(oneByte, 0, batch, i * oneByte.length, oneByte.length);
        }
        long end = System.nanoTime() + WINDOW.toNanos() + CLOSE_WAIT.toNanos();
        try {
            raw.setSoTimeout(1000);
            OutputStream out = raw.getOutputStream();
            while (System.nanoTime() < end) {
                out.write(batch);
                out.flush();
            }
            outcomes.put(name, "still writing after " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (IOException e) {
            // reset by the server: it closed the socket
            outcomes.put(name, "closed after " + (System.nanoTime() - started) / 1_000_000 + " ms: " + e.getMessage());
        }
    }

    private static byte[] frame(int opcode, byte[] payload) {
        byte[] mask = {1, 2, 3, 4};
        int header = payload.length < 126 ? 2 : 4;
        byte[] f = new byte[header + 4 + payload.length];
        f[0] = (byte) (0x80 | opcode);
        if (payload.length < 126) {
            f[1] = (byte) (0x80 | payload.length);
        } else {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (payload.length >> 8);
            f[3] = (byte) payload.length;
        }
        System.arraycopy(mask, 0, f, header, 4);
        for (int i = 0; i < payload.length; i++) {
            f[header + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return f;
    }
}
