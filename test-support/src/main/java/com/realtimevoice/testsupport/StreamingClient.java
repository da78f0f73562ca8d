package com.realtimevoice.testsupport;

import com.realtimevoice.client.RawConnection;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.CloseCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tests' client of the contract: a thin wrapper over voice-client's {@link RawConnection} (the JDK's WebSocket,
 * no Spring, as a mini-program or browser would be) that sends any text as it is (tests send malformed and hostile
 * frames on purpose; {@link #send(ClientMessage)} for protocol messages) and records every message the server sends,
 * in order, as JSON for assertions on the exact fields.
 */
public final class StreamingClient implements RawConnection.Listener, AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private RawConnection connection;

    public static StreamingClient connect(String url) {
        return connect(url, Map.of());
    }

    /** Connects with extra upgrade-request headers, e.g. {@code Authorization: Bearer ...} as wx.connectSocket sends it. */
    public static StreamingClient connect(String url, Map<String, String> headers) {
        StreamingClient client = new StreamingClient();
        client.connection = RawConnection.open(
                        HttpClient.newHttpClient(), URI.create(url), headers, Duration.ofSeconds(10), client)
                .join();
        return client;
    }

    /** Whether the server has closed the socket (or it failed). */
    public boolean isClosed() {
        return connection.closeCode().isDone() || connection.isOutputClosed();
    }

    /** Waits for the server to close the socket and returns its close code. */
    public int awaitClose(Duration timeout) throws Exception {
        return connection.closeCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a text frame as it is. */
    public void send(String json) {
        connection.sendText(json).join();
    }

    /** Sends a protocol message as the protocol module writes it. */
    public void send(ClientMessage message) {
        connection.send(message).join();
    }

    public void sendAudio(byte[] pcm) {
        connection.sendBinary(pcm).join();
    }

    /** Streams PCM in 100 ms chunks, {@code speed} times faster than real time. */
    public void streamPcm(byte[] pcm, double speed) throws InterruptedException {
        int chunk = 3200;
        long start = System.nanoTime();
        for (int offset = 0, n = 0; offset < pcm.length; offset += chunk, n++) {
            byte[] part = java.util.Arrays.copyOfRange(pcm, offset, Math.min(pcm.length, offset + chunk));
            sendAudio(part);
            long due = start + (long) ((n + 1) * 100_000_000L / speed);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }

    /** The next message of the given type, skipping (but keeping) others; fails after the timeout. */
    public JsonNode await(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
            if (m == null) {
                throw new AssertionError(
                        "no '" + type + "' message within " + timeout + "; received so far: " + received());
            }
            if (type.equals(m.path("type").asString())) {
                return m;
            }
        }
    }

    public synchronized List<JsonNode> received() {
        return new ArrayList<>(received);
    }

    public List<JsonNode> receivedOfType(String type) {
        return received().stream()
                .filter(m -> type.equals(m.path("type").asString()))
                .toList();
    }

    @Override
    public void onText(RawConnection c, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            // not JSON: kept as a string, so that a test sees it instead of a silent gap
            node = JSON.getNodeFactory().stringNode(text);
        }
        synchronized (this) {
            received.add(node);
        }
        inbox.add(node);
    }

    @Override
    public void close() {
        if (!connection.isOutputClosed()) {
            connection.close(CloseCode.NORMAL.code, "bye").exceptionally(e -> null);
        }
    }
}
