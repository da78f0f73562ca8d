package com.realtimevoice.bench;

import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One simulated client, event driven (no thread of its own, so thousands fit in one process): connects, runs
 * sessions back to back on one socket until the phase's deadline (start, paced audio, end, wait for completed),
 * and records each session's timings in the phase's {@link LoadPhase}.
 */
final class VirtualUser implements VoiceSession.Listener {

    private final LoadPhase phase;
    private final int id;
    private final String token;
    private final ScheduledExecutorService ticker;

    private HttpClient http;
    private VoiceSession socket;

    // the current session, guarded by this
    private byte[] pcm;
    private List<byte[]> chunks;
    private int nextChunk;
    private ScheduledFuture<?> streaming;
    private ScheduledFuture<?> timeout;
    private final SessionTimer timer;
    private boolean sessionOpen;
    private int sessions;

    VirtualUser(LoadPhase phase, int id, String token, ScheduledExecutorService ticker) {
        this.phase = phase;
        this.id = id;
        this.token = token;
        this.ticker = ticker;
        this.timer = new SessionTimer(phase.config.chunkMs);
    }

    void connect(HttpClient http) {
        this.http = http;
        URI stream = URI.create(phase.config.streamUrl(phase.target.url()));
        new VoiceClient(http, stream, Duration.ofSeconds(20))
                .connect(token, VoiceClient.TokenIn.QUERY, this)
                .whenComplete((session, e) -> {
                    if (e != null) {
                        phase.error("CONNECT_FAILED");
                        phase.sessionFailed();
                        reconnectLater();
                        return;
                    }
                    synchronized (this) {
                        this.socket = session;
                    }
                    phase.connected();
                    startSession();
                });
    }

    private synchronized void startSession() {
        if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
            finishUser();
            return;
        }
        pcm = phase.config.fixture(id + sessions);
        chunks = phase.config.chunks(pcm);
        timer.begin(chunks.size());
        nextChunk = 0;
        sessionOpen = true;
        sessions++;
        send(socket.start(phase.config.start()));
        timeout = ticker.schedule(
                () -> sessionFailed("TIMEOUT"),
                phase.config.sessionTimeoutMs + (long) (phase.config.audioMs(pcm) / phase.config.speed),
                TimeUnit.MILLISECONDS);
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
            timer.endSent(now);
            nextChunk++;
            streaming.cancel(false);
            send(socket.end());
            return;
        }
        timer.chunkSent(nextChunk, now);
        byte[] audio = chunks.get(nextChunk++);
        phase.audioSent(audio.length);
        send(socket.sendAudio(audio));
    }

    @Override
    public void onMessage(VoiceSession session, ServerMessage m) {
        long now = System.nanoTime();
        if (m instanceof ServerMessage.Started) {
            onStarted();
        } else if (m instanceof ServerMessage.Partial || m instanceof ServerMessage.Final) {
            boolean isFinal;
            synchronized (this) {
                isFinal = timer.result(m, now);
            }
            if (isFinal) {
                phase.finalReceived();
            }
        } else if (m instanceof ServerMessage.Completed) {
            sessionCompleted(now);
        } else if (m instanceof ServerMessage.Error e) {
            phase.error(e.code() == null ? "UNKNOWN" : e.code());
            sessionFailed(null);
        }
        // ack, pong
    }

    private void sessionCompleted(long now) {
        synchronized (this) {
            if (!sessionOpen) {
                return;
            }
            sessionOpen = false;
            timeout.cancel(false);
            phase.sessionDone(timer.completed(now));
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
        if (socket != null) {
            send(socket.close());
        }
        phase.userDone();
    }

    /** The session queues its sends; a failed one counts while a session is open. */
    private void send(java.util.concurrent.CompletableFuture<Void> sent) {
        sent.whenComplete((r, e) -> {
            if (e != null && sessionOpen) {
                phase.error("SEND_FAILED");
            }
        });
    }

    @Override
    public void onClose(VoiceSession session, int statusCode, String reason) {
        boolean open;
        synchronized (this) {
            open = sessionOpen;
        }
        if (open) {
            sessionFailed("CLOSED_" + statusCode);
        }
    }

    @Override
    public void onFailure(VoiceSession session, Throwable error) {
        boolean open;
        synchronized (this) {
            open = sessionOpen;
        }
        if (open) {
            sessionFailed("SOCKET_ERROR");
        }
    }

    /** What one completed session measured, in nanoTime. */
    record SessionTimes(
            long firstAudioNs,
            long firstPartialNs,
            long endSentNs,
            long lastFinalNs,
            long completedNs,
            List<long[]> finals,
            long[] chunkSentNs,
            int chunkMs) {

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
