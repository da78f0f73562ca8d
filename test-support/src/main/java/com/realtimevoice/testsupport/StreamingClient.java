package com.realtimevoice.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain WebSocket client of the contract (the JDK's, no Spring), as a mini-program or browser would be:
 * it records every message the server sends, in order.
 */
public final class StreamingClient implements WebSocket.Listener, AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private final StringBuilder partialText = new StringBuilder();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private WebSocket socket;

    public static StreamingClient connect(String url) {
        return connect(url, java.util.Map.of());
    }

    /** Connects with extra upgrade-request headers, e.g. {@code Authorization: Bearer ...} as wx.connectSocket sends it. */
    public static StreamingClient connect(String url, java.util.Map<String, String> headers) {
        StreamingClient client = new StreamingClient();
        WebSocket.Builder builder =
                HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(URI.create(url), client).join();
        return client;
    }

    /** Whether the server has closed the socket (or it failed). */
    public boolean isClosed() {
        return closeCode.isDone() || socket.isOutputClosed();
    }

    /** Waits for the server to close the socket and returns its close code. */
    public int awaitClose(Duration timeout) throws Exception {
        return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void send(String json) {
        socket.sendText(json, true).join();
    }

    public void sendAudio(byte[] pcm) {
        socket.sendBinary(ByteBuffer.wrap(pcm), true).join();
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
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            JsonNode node = JSON.readTree(partialText.toString());
            partialText.setLength(0);
            synchronized (this) {
                received.add(node);
            }
            inbox.add(node);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
    }
}
