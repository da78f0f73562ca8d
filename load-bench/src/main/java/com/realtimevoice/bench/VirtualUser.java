package com.realtimevoice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

/**
 * One simulated client, event driven (no thread of its own, so thousands fit in one process): connects, runs
 * sessions back to back on one socket until the phase's deadline (start, paced audio, end, wait for completed),
 * and records each session's timings in the phase's {@link LoadPhase}.
 */
final class VirtualUser implements WebSocket.Listener {

    private final LoadPhase phase;
    private final int id;
    private final String token;
    private final ScheduledExecutorService ticker;

    private HttpClient http;
    private WebSocket socket;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private final StringBuilder text = new StringBuilder();

    // the current session, guarded by this
    private byte[] pcm;
    private List<byte[]> chunks;
    private long[] chunkSentNs;
    private int nextChunk;
    private ScheduledFuture<?> streaming;
    private ScheduledFuture<?> timeout;
    private long firstAudioNs;
    private long firstPartialNs;
    private long endSentNs;
    private long lastFinalNs;
    private final List<long[]> finals = new ArrayList<>(); // {receivedNs, endMs}
    private boolean sessionOpen;
    private int sessions;

    VirtualUser(LoadPhase phase, int id, String token, ScheduledExecutorService ticker) {
        this.phase = phase;
        this.id = id;
        this.token = token;
        this.ticker = ticker;
    }

    void connect(HttpClient http) {
        this.http = http;
        String url = phase.config.streamUrl(phase.target.url()) + (token == null ? "" : "?token=" + token);
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20)).buildAsync(URI.create(url), this)
                .whenComplete((ws, e) -> {
                    if (e != null) {
                        phase.error("CONNECT_FAILED");
                        phase.sessionFailed();
                        reconnectLater();
                    }
                });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        synchronized (this) {
            this.socket = webSocket;
        }
        phase.connected();
        webSocket.request(1);
        startSession();
    }

    private synchronized void startSession() {
        if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
            finishUser();
            return;
        }
        pcm = phase.config.fixture(id + sessions);
        chunks = phase.config.chunks(pcm);
        chunkSentNs = new long[chunks.size()];
        nextChunk = 0;
        firstAudioNs = firstPartialNs = endSentNs = lastFinalNs = 0;
        finals.clear();
        sessionOpen = true;
        sessions++;
        String start = phase.config.startMessage();
        send(ws -> ws.sendText(start, true));
        timeout = ticker.schedule(() -> sessionFailed("TIMEOUT"),
                phase.config.sessionTimeoutMs + (long) (phase.config.audioMs(pcm) / phase.config.speed), TimeUnit.MILLISECONDS);
    }

    private synchronized void onStarted() {
        long periodNs = (long) (phase.config.chunkMs * 1_000_000L / phase.config.speed);
        streaming = ticker.scheduleAtFixedRate(this::sendNextChunk, 0, periodNs, TimeUnit.NANOSECONDS);
    }

    private synchronized void sendNextChunk() {
        if (!sessionOpen || nextChunk > chunks.size()) {
            return;
        }
        long now = System.nanoTime();
        if (nextChunk == chunks.size()) {
            endSentNs = now;
            nextChunk++;
            streaming.cancel(false);
            send(ws -> ws.sendText("{\"type\":\"end\"}", true));
            return;
        }
        if (nextChunk == 0) {
            firstAudioNs = now;
        }
        chunkSentNs[nextChunk] = now;
        ByteBuffer audio = ByteBuffer.wrap(chunks.get(nextChunk++));
        phase.audioSent(audio.remaining());
        send(ws -> ws.sendBinary(audio, true));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            long now = System.nanoTime();
            JsonNode m = LoadPhase.JSON.readTree(text.toString());
            text.setLength(0);
            handle(m, now);
        }
        webSocket.request(1);
        return null;
    }

    private void handle(JsonNode m, long now) {
        String type = m.path("type").asString("");
        switch (type) {
            case "started":
                onStarted();
                break;
            case "partial":
                synchronized (this) {
                    if (firstPartialNs == 0 && firstAudioNs != 0 && !m.path("text").asString("").isBlank()) {
                        firstPartialNs = now;
                    }
                }
                break;
            case "final":
                synchronized (this) {
                    lastFinalNs = now;
                    finals.add(new long[] {now, m.path("endMs").asLong(-1)});
                }
                phase.finalReceived();
                break;
            case "completed":
                sessionCompleted(now);
                break;
            case "error":
                phase.error(m.path("code").asString("UNKNOWN"));
                sessionFailed(null);
                break;
            default:
                break; // ack, pong
        }
    }

    private void sessionCompleted(long now) {
        synchronized (this) {
            if (!sessionOpen) {
                return;
            }
            sessionOpen = false;
            timeout.cancel(false);
            SessionTimes t = new SessionTimes(firstAudioNs, firstPartialNs, endSentNs, lastFinalNs, now, finals, chunkSentNs,
                    phase.config.chunkMs);
            phase.sessionDone(t);
        }
        startSession();
    }

    private void sessionFailed(String code) {
        synchronized (this) {
            if (!sessionOpen) {
                return;
            }
            sessionOpen = false;
            if (code != null) {
                phase.error(code);
            }
            if (streaming != null) {
                streaming.cancel(false);
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
            phase.sessionFailed();
            // a clean slate: the socket may be in any state after an error
            if (socket != null) {
                socket.abort();
            }
        }
        reconnectLater();
    }

    /** A failed session leaves the socket in an unknown state: carry on over a new one, as a real client would. */
    private void reconnectLater() {
        if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
            phase.userDone();
            return;
        }
        ticker.schedule(() -> connect(http), 500, TimeUnit.MILLISECONDS);
    }

    private synchronized void finishUser() {
        if (socket != null && !socket.isOutputClosed()) {
            send(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        }
        phase.userDone();
    }

    /** The JDK WebSocket allows one outstanding send: chain them. */
    private synchronized void send(java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> op) {
        WebSocket ws = socket;
        sendChain = sendChain.handle((r, e) -> null).thenCompose(x -> op.apply(ws)).whenComplete((r, e) -> {
            if (e != null && sessionOpen) {
                phase.error("SEND_FAILED");
            }
        });
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        boolean open;
        synchronized (this) {
            open = sessionOpen;
        }
        if (open) {
            sessionFailed("CLOSED_" + statusCode);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        boolean open;
        synchronized (this) {
            open = sessionOpen;
        }
        if (open) {
            sessionFailed("SOCKET_ERROR");
        }
    }

    /** What one completed session measured, in nanoTime. */
    record SessionTimes(long firstAudioNs, long firstPartialNs, long endSentNs, long lastFinalNs, long completedNs,
                        List<long[]> finals, long[] chunkSentNs, int chunkMs) {

        SessionTimes {
            finals = List.copyOf(finals);
            chunkSentNs = chunkSentNs.clone();
        }

        /** For each final: from the send of the chunk holding its last audio (end of speech) to its arrival, ms. */
        List<Long> endOfSpeechLatenciesMs() {
            List<Long> out = new ArrayList<>();
            for (long[] f : finals) {
                if (f[1] < 0) {
                    continue;
                }
                int idx = (int) Math.max(0, Math.min(chunkSentNs.length - 1, (f[1] - 1) / chunkMs));
                if (chunkSentNs[idx] > 0) {
                    out.add(Math.max(0, (f[0] - chunkSentNs[idx]) / 1_000_000));
                }
            }
            return out;
        }
    }
}
