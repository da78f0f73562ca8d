package com.realtimevoice.faults.client;

import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Load beside the speech sessions (issue 18, faults under load): N streams on the bench-echo engine (no ASR work,
 * ASR_BENCH_ENGINE_ENABLED on the workers), each a session of 100 ms chunks at real time, {@code sessionSeconds}
 * long, then the next, until stopped. They are not checked for loss: they make the pipeline busy while the fault
 * strikes, and a stream that drops simply reconnects and starts a new session. Counts what flowed. Each stream is a
 * voice-client {@link VoiceSession}.
 */
public final class BenchStreams implements AutoCloseable {

    private static final byte[] CHUNK = new byte[3200]; // 100 ms of 16 kHz 16-bit silence
    private static final ClientMessage.Start START =
            new ClientMessage.Start(null, "pcm", 16000, null, "bench-echo", true);

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
            VoiceSession session = s.session;
            if (session != null) {
                session.abort();
            }
        }
    }

    private final class Stream implements VoiceSession.Listener {
        final int index;
        final List<String> urls;
        final String token;
        final int chunksPerSession;
        volatile VoiceSession session;
        volatile boolean started;
        volatile boolean connecting;
        int sent;
        int attempt;

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
            new VoiceClient(http, URI.create(url), Duration.ofSeconds(5))
                    .connect(token, VoiceClient.TokenIn.HEADER, this)
                    .whenComplete((s, e) -> {
                        connecting = false;
                        if (e != null) {
                            retryLater();
                            return;
                        }
                        session = s;
                        startSession();
                    });
        }

        void startSession() {
            sent = 0;
            VoiceSession s = session;
            if (s != null && !stopped) {
                s.start(START);
            }
        }

        synchronized void tick() {
            VoiceSession s = session;
            if (s == null || !started || stopped) {
                return;
            }
            if (sent < chunksPerSession) {
                s.sendAudio(CHUNK);
                sent++;
                chunks.incrementAndGet();
            } else if (sent == chunksPerSession) {
                s.end();
                sent++;
            }
        }

        void drop() {
            drops.incrementAndGet();
            started = false;
            VoiceSession s = session;
            session = null;
            if (s != null) {
                s.abort();
            }
            retryLater();
        }

        void retryLater() {
            if (!stopped) {
                timer.schedule(this::connect, 500 + (index * 37L) % 1500, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onMessage(VoiceSession s, ServerMessage m) {
            if (m instanceof ServerMessage.Started) {
                started = true;
                sessions.incrementAndGet();
            } else if (m instanceof ServerMessage.Final || m instanceof ServerMessage.Partial) {
                results.incrementAndGet();
            } else if (m instanceof ServerMessage.Completed) {
                started = false;
                startSession(); // the next session, back to back
            } else if (m instanceof ServerMessage.Error error
                    && (ErrorCode.of(error.code()) == ErrorCode.OVERLOADED
                            || ErrorCode.of(error.code()) == ErrorCode.INTERNAL)) {
                // the fault: start again on a new socket (the speech sessions are the ones checked)
                timer.execute(this::drop);
            }
        }

        @Override
        public void onClose(VoiceSession s, int statusCode, String reason) {
            if (session == s) {
                timer.execute(this::drop);
            }
        }

        @Override
        public void onFailure(VoiceSession s, Throwable error) {
            if (session == s) {
                timer.execute(this::drop);
            }
        }
    }
}
