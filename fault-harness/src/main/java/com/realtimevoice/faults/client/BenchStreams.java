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
 * strikes. Each stream is a voice-client {@link VoiceSession} that keeps the contract as a mini-program does: it
 * pauses on OVERLOADED and resumes a dropped session on the next node. (It used to abandon its session on every
 * OVERLOADED and start another: 150 streams left ~1,500 sessions open for the resume window after a broker outage,
 * and a takeover in that minute replayed them all; docs/reliability.md, "Soak".) Counts what flowed.
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
    private final AtomicLong resumes = new AtomicLong();
    private final AtomicLong pauses = new AtomicLong();
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
                "%d bench-echo streams: %d sessions, %d chunks sent, %d results, %d drops, %d resumes, %d OVERLOADED"
                        + " pauses",
                streams.size(),
                sessions.get(),
                chunks.get(),
                results.get(),
                drops.get(),
                resumes.get(),
                pauses.get());
    }

    @Override
    public void close() {
        stopped = true;
        timer.shutdownNow();
        // ended like a client's last session, not cut: a cut session stays open on the node for the resume window
        // and on the workers until then, and the next scenario's takeover would replay it (docs/reliability.md)
        List<VoiceSession> open = new ArrayList<>();
        for (Stream s : streams) {
            VoiceSession session = s.session;
            if (session != null) {
                if (s.started) {
                    session.end();
                }
                open.add(session);
            }
        }
        try {
            Thread.sleep(open.isEmpty() ? 0 : 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.forEach(VoiceSession::close);
    }

    /**
     * One stream, a client that keeps the contract (docs/protocol.md): on {@code OVERLOADED} it holds its audio
     * until acks have caught up, then re-sends from the last ack; when its socket drops it resumes the session on
     * the next node. Only a session the server no longer knows is given up for a new one.
     */
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
        /** After OVERLOADED: no audio until acks flowed again and then were quiet for a second. */
        boolean paused;

        long pausedAtMs;
        long lastAckMs;
        boolean ackWhilePaused;

        Stream(int index, List<String> urls, String token, int chunksPerSession) {
            this.index = index;
            this.urls = urls;
            this.token = token;
            this.chunksPerSession = chunksPerSession;
        }

        String nextUrl() {
            return urls.get((index + attempt++) % urls.size());
        }

        void connect() {
            open(client -> client.connect(token, VoiceClient.TokenIn.HEADER, this), null);
        }

        /** Picks the dropped session up on the next node, as the contract's clients do. */
        void resume(VoiceSession dropped) {
            open(client -> client.resume(dropped, token, VoiceClient.TokenIn.HEADER, this), dropped);
        }

        /** A new connection to the next node, for a new session ({@code dropped} null) or a resume of it. */
        private void open(
                Function<VoiceClient, java.util.concurrent.CompletableFuture<VoiceSession>> how, VoiceSession dropped) {
            if (stopped || connecting) {
                return;
            }
            connecting = true;
            how.apply(new VoiceClient(http, URI.create(nextUrl()), Duration.ofSeconds(5)))
                    .whenComplete((s, e) -> {
                        connecting = false;
                        if (e != null) {
                            retryLater(dropped);
                            return;
                        }
                        session = s;
                        if (dropped == null) {
                            startSession();
                        }
                    });
        }

        void startSession() {
            sent = 0;
            paused = false;
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
            long now = System.currentTimeMillis();
            if (paused) {
                if (ackWhilePaused && now - lastAckMs > 1000) {
                    paused = false; // the server holds nothing unacked now: re-send from the last ack
                    s.rewind();
                } else if (now - pausedAtMs > 90_000) {
                    drop(); // no ack for 90 s: presume the connection dead
                    return;
                } else {
                    return;
                }
            }
            if (s.backlog() > 0) {
                s.resendNext(); // re-sent chunks first, one a tick as new ones would go
            } else if (sent < chunksPerSession) {
                s.sendAudio(CHUNK);
                sent++;
                chunks.incrementAndGet();
            } else if (sent == chunksPerSession) {
                s.end();
                sent++;
            }
        }

        /** The connection is gone: resume the session if it had started, else start anew. */
        synchronized void drop() {
            drops.incrementAndGet();
            VoiceSession s = session;
            boolean resumable = started && s != null && s.sessionId() != null;
            started = false;
            paused = false;
            session = null;
            if (s != null) {
                s.abort();
            }
            retryLater(resumable ? s : null);
        }

        void retryLater(VoiceSession dropped) {
            if (!stopped) {
                timer.schedule(
                        () -> {
                            if (dropped != null) {
                                resume(dropped);
                            } else {
                                connect();
                            }
                        },
                        500 + (index * 37L) % 1500,
                        TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onMessage(VoiceSession s, ServerMessage m) {
            if (m instanceof ServerMessage.Started) {
                started = true;
                sessions.incrementAndGet();
            } else if (m instanceof ServerMessage.Resumed) {
                started = true;
                resumes.incrementAndGet();
            } else if (m instanceof ServerMessage.Ack) {
                synchronized (this) {
                    lastAckMs = System.currentTimeMillis();
                    if (paused) {
                        ackWhilePaused = true;
                    }
                }
            } else if (m instanceof ServerMessage.Final || m instanceof ServerMessage.Partial) {
                results.incrementAndGet();
            } else if (m instanceof ServerMessage.Completed) {
                started = false;
                startSession(); // the next session, back to back
            } else if (m instanceof ServerMessage.Error error) {
                onError(s, ErrorCode.of(error.code()));
            }
        }

        private void onError(VoiceSession s, ErrorCode code) {
            if (code == ErrorCode.OVERLOADED && started) {
                synchronized (this) {
                    if (!paused) {
                        pauses.incrementAndGet();
                    }
                    paused = true; // that chunk was refused, not the session: hold the audio (docs/protocol.md)
                    pausedAtMs = System.currentTimeMillis();
                    ackWhilePaused = false;
                }
            } else if (code == ErrorCode.OVERLOADED || code == ErrorCode.INTERNAL) {
                // a start refused, or the session cannot go on on this connection: a fresh connection (and resume)
                timer.execute(this::drop);
            } else if (code == ErrorCode.SESSION_NOT_FOUND) {
                started = false; // the resume came too late: a new session on this connection
                timer.execute(this::startSession);
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
