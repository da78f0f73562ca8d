package com.realtimevoice.local;

import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Warm-up traffic for the embedded default, before it says it is ready: a new JVM runs its hot paths (the socket
 * layer, every Kafka hop, the engine, the database write, delivery) in the interpreter and compiles them over its first
 * minute, and a user's first sessions paid for that (docs/performance.md, "Cold start"). A few sessions of bundled
 * speech go through the public API as a client sends them, faster than real time, and are deleted through the same
 * API, so nothing of them is left in the history.
 */
final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Who the warm-up's sessions belong to (a development token: the local profile issues them). */
    static final String USER = "local-warm-up";
    /** "What time is it" and "the weather is nice today": 16 kHz 16-bit mono, raw. */
    private static final String AUDIO = "/warm-up/speech.s16le";

    private static final int CHUNK_BYTES = 3200; // 100 ms, as clients send it
    /** Twice real time: more chunks through the JIT in the same seconds, and still under the engine's pace. */
    private static final long CHUNK_GAP_MS = 50;

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);
    /** The embedded engine, whatever ASR_ENGINE says (see {@link #oneSession}). */
    private static final String ENGINE = "vosk";

    /** What the warm-up did, for the log. */
    record Outcome(int sessions, int finals, int failed, long millis) {}

    private WarmUp() {}

    /** Runs {@code streams} client loops against the ingest node at {@code base} for {@code length}. */
    static Outcome run(String base, Duration length, int streams) throws InterruptedException {
        long t0 = System.nanoTime();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String token;
        try {
            token = devToken(http, base);
        } catch (IOException | RuntimeException e) {
            log.warn("warm-up skipped: no development token from {}: {}", base, e.toString());
            return new Outcome(0, 0, 1, 0);
        }
        byte[] speech = audio();
        VoiceClient client = new VoiceClient(
                http,
                URI.create(base.replaceFirst("^http", "ws") + "/api/realtime-voice/stream"),
                Duration.ofSeconds(5));
        long deadline = t0 + length.toNanos();
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger finals = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService loops = Executors.newFixedThreadPool(streams, r -> {
            Thread t = new Thread(r, "local-warm-up");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            running.add(loops.submit(() -> {
                while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                    try {
                        finals.addAndGet(oneSession(client, http, base, token, speech));
                        sessions.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        log.warn("warm-up session failed: {}", e.toString());
                    }
                }
                return null;
            }));
        }
        loops.shutdown();
        if (!loops.awaitTermination(length.toMillis() + SESSION_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
            running.forEach(f -> f.cancel(true));
        }
        loops.shutdownNow();
        return new Outcome(sessions.get(), finals.get(), failed.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** One session as a client runs it: start, audio, end, wait for completed; then delete it. Returns its finals. */
    private static int oneSession(VoiceClient client, HttpClient http, String base, String token, byte[] speech)
            throws Exception {
        CompletableFuture<String> started = new CompletableFuture<>();
        CompletableFuture<Integer> completed = new CompletableFuture<>();
        AtomicInteger finals = new AtomicInteger();
        VoiceSession.Listener listener = new VoiceSession.Listener() {
            @Override
            public void onMessage(VoiceSession session, ServerMessage message) {
                // acks and partials need nothing: the warm-up only needs them to have been sent
                if (message instanceof ServerMessage.Started s) {
                    started.complete(s.sessionId());
                } else if (message instanceof ServerMessage.Final) {
                    finals.incrementAndGet();
                } else if (message instanceof ServerMessage.Completed) {
                    completed.complete(finals.get());
                } else if (message instanceof ServerMessage.Error e) {
                    IllegalStateException error = new IllegalStateException(e.code() + ": " + e.message());
                    started.completeExceptionally(error);
                    completed.completeExceptionally(error);
                }
            }

            @Override
            public void onClose(VoiceSession session, int code, String reason) {
                completed.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
            }

            @Override
            public void onFailure(VoiceSession session, Throwable error) {
                completed.completeExceptionally(error);
            }
        };
        VoiceSession session =
                client.connect(token, VoiceClient.TokenIn.HEADER, listener).get(10, TimeUnit.SECONDS);
        try {
            // Vosk by name: with ASR_ENGINE=tencent the default would send the warm-up to a paid cloud on every start
            session.start(new ClientMessage.Start(null, "pcm", 16000, null, ENGINE, true));
            String sessionId = started.get(10, TimeUnit.SECONDS);
            for (int off = 0; off < speech.length; off += CHUNK_BYTES) {
                session.sendAudio(Arrays.copyOfRange(speech, off, Math.min(speech.length, off + CHUNK_BYTES)));
                Thread.sleep(CHUNK_GAP_MS);
            }
            session.end();
            int n = completed.get(SESSION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            delete(http, base, token, sessionId);
            return n;
        } finally {
            session.close();
        }
    }

    /** Deletes a warm-up session from the history; it may still be closing (409), so it tries for a few seconds. */
    private static void delete(HttpClient http, String base, String token, String sessionId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + sessionId))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token)
                .DELETE()
                .build();
        int status = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 204) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("DELETE /api/sessions/" + sessionId + " answered " + status);
    }

    private static String devToken(HttpClient http, String base) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/auth/dev-token"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + USER + "\"}"))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /api/auth/dev-token answered " + r.statusCode());
        }
        return JSON.readTree(r.body()).path("token").asString();
    }

    private static byte[] audio() {
        try (InputStream in = WarmUp.class.getResourceAsStream(AUDIO)) {
            if (in == null) {
                throw new IllegalStateException(AUDIO + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
