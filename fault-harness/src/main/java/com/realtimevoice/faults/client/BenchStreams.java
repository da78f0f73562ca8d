package com.realtimevoice.faults.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Load beside the speech sessions (issue 18, faults under load): N streams on the bench-echo engine (no ASR work,
 * ASR_BENCH_ENGINE_ENABLED on the workers), each a session of 100 ms chunks at real time, {@code sessionSeconds}
 * long, then the next, until stopped. They are not checked for loss: they make the pipeline busy while the fault
 * strikes, and a stream that drops simply reconnects and starts a new session. Counts what flowed.
 */
public final class BenchStreams implements AutoCloseable {

    private static final byte[] CHUNK = new byte[3200]; // 100 ms of 16 kHz 16-bit silence

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-streams");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Stream> streams = new ArrayList<>();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong results = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private volatile boolean stopped;

    /**
     * @param urls           the ingest nodes' stream URLs; stream i starts on node i mod n
     * @param tokenForUser   a token for a user id (one user per stream: the per-user session cap stays out of the way)
     */
    public BenchStreams(int count, List<String> urls, Function<String, String> tokenForUser, Duration sessionLength) {
        for (int i = 0; i < count; i++) {
            String user = "bench-" + i;
            streams.add(new Stream(i, urls, tokenForUser.apply(user), (int) (sessionLength.toMillis() / 100)));
        }
    }

    /** Starts every stream, spread over {@code rampUp}. */
    public BenchStreams start(Duration rampUp) {
        for (Stream s : streams) {
            timer.schedule(
                    s::connect, rampUp.toMillis() * s.index / Math.max(1, streams.size()), TimeUnit.MILLISECONDS);
        }
        timer.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        for (Stream s : streams) {
            try {
                s.tick();
            } catch (RuntimeException e) {
                s.drop();
            }
        }
    }

    /** Streams with an open, started session now. */
    public int streaming() {
        return (int) streams.stream().filter(s -> s.started).count();
    }

    public String summary() {
        return String.format(
                java.util.Locale.ROOT,
                "%d bench-echo streams: %d sessions, %d chunks sent, %d results, %d drops",
                streams.size(),
                sessions.get(),
                chunks.get(),
                results.get(),
                drops.get());
    }

    @Override
    public void close() {
        stopped = true;
        timer.shutdownNow();
        for (Stream s : streams) {
            WebSocket ws = s.socket;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    private final class Stream implements WebSocket.Listener {
        final int index;
        final List<String> urls;
        final String token;
        final int chunksPerSession;
        volatile WebSocket socket;
        volatile boolean started;
        volatile boolean connecting;
        int sent;
        int attempt;
        final StringBuilder text = new StringBuilder();

        Stream(int index, List<String> urls, String token, int chunksPerSession) {
            this.index = index;
            this.urls = urls;
            this.token = token;
            this.chunksPerSession = chunksPerSession;
        }

        void connect() {
            if (stopped || connecting) {
                return;
            }
            connecting = true;
            String url = urls.get((index + attempt++) % urls.size());
            http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(url), this)
                    .whenComplete((ws, e) -> {
                        connecting = false;
                        if (e != null) {
                            retryLater();
                            return;
                        }
                        socket = ws;
                        startSession();
                    });
        }

        void startSession() {
            sent = 0;
            WebSocket ws = socket;
            if (ws != null && !stopped) {
                ws.sendText(
                        "{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000,\"engine\":\"bench-echo\"}", true);
            }
        }

        synchronized void tick() {
            WebSocket ws = socket;
            if (ws == null || !started || stopped) {
                return;
            }
            if (sent < chunksPerSession) {
                ws.sendBinary(ByteBuffer.wrap(CHUNK), true);
                sent++;
                chunks.incrementAndGet();
            } else if (sent == chunksPerSession) {
                ws.sendText("{\"type\":\"end\"}", true);
                sent++;
            }
        }

        void drop() {
            drops.incrementAndGet();
            started = false;
            WebSocket ws = socket;
            socket = null;
            if (ws != null) {
                ws.abort();
            }
            retryLater();
        }

        void retryLater() {
            if (!stopped) {
                timer.schedule(this::connect, 500 + (index * 37L) % 1500, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String m = text.toString();
                text.setLength(0);
                if (m.contains("\"type\":\"started\"")) {
                    started = true;
                    sessions.incrementAndGet();
                } else if (m.contains("\"type\":\"final\"") || m.contains("\"type\":\"partial\"")) {
                    results.incrementAndGet();
                } else if (m.contains("\"type\":\"completed\"")) {
                    started = false;
                    startSession(); // the next session, back to back
                } else if (m.contains("\"type\":\"error\"") && (m.contains("OVERLOADED") || m.contains("INTERNAL"))) {
                    // the fault: start again on a new socket (the speech sessions are the ones checked)
                    timer.execute(this::drop);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (socket == ws) {
                timer.execute(this::drop);
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (socket == ws) {
                timer.execute(this::drop);
            }
        }
    }
}
