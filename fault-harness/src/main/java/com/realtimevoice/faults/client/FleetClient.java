package com.realtimevoice.faults.client;

import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client as resilient as the mini-program SDK: it streams a program at recording pace, keeps every chunk until
 * it is acked (bounded), and on a dropped socket or a 1012/1013 close reconnects (jittered back-off) to any ingest
 * node with {@code resume} (lastIndex = the highest final index it has, nextSeq = its first unacked chunk), re-sends
 * its unacked chunks and goes on. On OVERLOADED it pauses and, once acks flow again, re-sends from the last ack.
 * It records everything it sends and receives ({@link ClientEvent}). One thread per client runs it all; the
 * connections, the protocol, the numbering of chunks and their retention until acked, resume and the re-send are
 * voice-client's ({@link VoiceClient}, {@link VoiceSession}), paced here ({@link VoiceSession#resendNext}).
 */
public final class FleetClient implements Runnable {

    /** Chunks kept unacked at most (20 s of audio): past this the client holds back, like a bounded SDK buffer. */
    private static final int MAX_UNACKED_CHUNKS = 200;
    /** Unacked audio with no ack progress for this long: the connection is presumed dead, reconnect and resume. */
    private static final long ACK_STALL_MS = 15_000;
    /** Re-sent (backlog) chunks go no faster than one per this, about 3x real time: under the ingest rate limit. */
    private static final long CATCH_UP_GAP_MS = 30;

    private static final long RESUME_ANSWER_MS = 20_000;
    private static final long RECONNECT_BUDGET_MS = 180_000;
    private static final long COMPLETION_QUIET_MS = 60_000;

    public enum Phase {
        CONNECTING,
        STARTING,
        STREAMING,
        RESUMING,
        ENDING,
        DONE,
        FAILED
    }

    /** @param firstNode index of the ingest node to connect to first */
    public record Plan(String name, String userId, String token, Program program, double speed, int firstNode) {}

    private final Plan plan;
    private final List<String> nodeUrls;
    private final List<String> nodeNames;
    private final HttpClient http;
    private final Consumer<ClientEvent> recorder;
    private final long deadlineMs;

    // State: written by the client's own thread only (volatile where other threads read it).
    private volatile Phase phase = Phase.CONNECTING;
    private volatile String sessionId;
    /** The session as the latest connection carries it: chunks numbered and unacked, finals seen (what resume says). */
    private VoiceSession session;

    private volatile Connection connection;
    private int connections;
    /** The first chunk not acked as far as the acks handled here say: only for seeing ack progress. */
    private long ackedUpTo;

    private long micStartMs;
    private long lastSendMs;
    private long lastAckProgressMs;
    private long lastResultMs;
    private boolean endSent;
    private long endSentMs;
    private boolean paused;
    private long pausedAtMs;
    private long lastAckWhilePausedMs;
    private boolean ackWhilePaused;
    private long resumeSentMs;
    private int preferredNode;
    /** Reconnections since the last accepted start or resume: the back-off grows with it, as an SDK's does. */
    private int reconnectStreak;

    private volatile String failure;
    private volatile Boolean dropRequested;
    private volatile String stopRequested;

    public FleetClient(
            Plan plan,
            List<String> nodeUrls,
            List<String> nodeNames,
            HttpClient http,
            Consumer<ClientEvent> recorder,
            Duration maxSessionTime) {
        this.plan = plan;
        this.nodeUrls = List.copyOf(nodeUrls);
        this.nodeNames = List.copyOf(nodeNames);
        this.http = http;
        this.recorder = recorder;
        this.preferredNode = plan.firstNode() % nodeUrls.size();
        this.deadlineMs = System.currentTimeMillis() + maxSessionTime.toMillis();
    }

    public Plan plan() {
        return plan;
    }

    public String sessionId() {
        return sessionId;
    }

    public Phase phase() {
        return phase;
    }

    public String failure() {
        return failure;
    }

    /** Whether a session is under way (started, not completed or failed). */
    public boolean active() {
        return sessionId != null && phase != Phase.DONE && phase != Phase.FAILED;
    }

    /** The ingest node the client is connected to now, or null between connections. */
    public String currentNode() {
        Connection c = connection;
        return c == null || c.closed ? null : c.node;
    }

    /** Asks the client to cut its socket abruptly (no close frame) and resume, on the same node or the other. */
    public void requestDrop(boolean sameNode) {
        dropRequested = sameNode;
    }

    /**
     * Asks the client to give its session up now, as a client whose session ended with an error does (it stops
     * streaming and closes): a clean run's stand-in for a poisoned session (poison-bystander).
     */
    public void requestStop(String why) {
        stopRequested = why;
    }

    @Override
    public void run() {
        Thread.currentThread().setName("client-" + plan.name());
        try {
            if (!connect(false)) {
                return;
            }
            while (phase != Phase.DONE && phase != Phase.FAILED) {
                Connection c = connection;
                if (c == null) {
                    Thread.sleep(5);
                }
                Object message = c == null ? null : c.inbox.poll(5, TimeUnit.MILLISECONDS);
                long now = System.currentTimeMillis();
                if (message instanceof ServerMessage m) {
                    handle(m, now);
                } else if (message instanceof Unreadable u) {
                    record("unknown", -1, -1, null, u.text());
                } else if (message instanceof Closed closed) {
                    onClosed(closed);
                    continue;
                }
                if (phase == Phase.DONE || phase == Phase.FAILED) {
                    break;
                }
                if (stopRequested != null) {
                    fail(stopRequested);
                    break;
                }
                Boolean drop = dropRequested;
                if (drop != null) {
                    dropRequested = null;
                    drop(drop);
                    continue;
                }
                if (now > deadlineMs) {
                    fail("no completed within the session deadline");
                    break;
                }
                if (c == null || c.closed) {
                    continue;
                }
                maybeUnpause(now);
                maybeSend(now);
                maybeEnd(now);
                checkStall(now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } catch (RuntimeException e) {
            fail("client error: " + e);
        } finally {
            Connection c = connection;
            if (c != null && !c.closed) {
                c.closeNormally();
            }
        }
    }

    // ---------------------------------------------------------------- server messages

    private void handle(ServerMessage m, long now) {
        if (m instanceof ServerMessage.Started started) {
            sessionId = started.sessionId();
            phase = Phase.STREAMING;
            reconnectStreak = 0;
            micStartMs = now;
            lastAckProgressMs = now;
            record("started", -1, -1, null, null);
        } else if (m instanceof ServerMessage.Ack ack) {
            long seq = ack.seq();
            record("ack", seq, -1, null, null);
            if (seq + 1 > ackedUpTo) {
                ackedUpTo = seq + 1;
                lastAckProgressMs = now;
            }
            if (paused) {
                ackWhilePaused = true;
                lastAckWhilePausedMs = now;
            }
        } else if (m instanceof ServerMessage.Partial partial) {
            // unstable text, replaced by the final: not part of the loss check, but a result (recovery time)
            record("partial", -1, partial.index(), null, null);
        } else if (m instanceof ServerMessage.Final f) {
            // seq: the final's endMs (its audio's end), for its latency (check/BystanderDelay)
            record("final", f.endMs(), f.index(), f.text(), null);
            lastResultMs = now;
        } else if (m instanceof ServerMessage.Completed completed) {
            record("completed", -1, completed.segments(), completed.text(), null);
            phase = Phase.DONE;
        } else if (m instanceof ServerMessage.Resumed resumed) {
            // the session has put the chunks from resumed.nextSeq on in its backlog: maybeSend re-sends them
            record("resumed", resumed.nextSeq(), resumed.lastIndex(), null, null);
            lastAckProgressMs = now;
            paused = false;
            reconnectStreak = 0;
            if (endSent) {
                // The end may or may not have reached Kafka before the drop: say it again (idempotent downstream).
                send(connection, session.end());
                record("end", -1, -1, null, "again after resume");
                endSentMs = now;
                phase = Phase.ENDING;
            } else {
                phase = Phase.STREAMING;
            }
        } else if (m instanceof ServerMessage.Error error) {
            onError(Objects.toString(error.code(), ""), Objects.toString(error.message(), ""), now);
        } else if (m instanceof ServerMessage.Other other) {
            record("unknown", -1, -1, null, other.json());
        } else if (!(m instanceof ServerMessage.Pong)) {
            record("unknown", -1, -1, null, m.toString());
        }
    }

    private void onError(String code, String text, long now) {
        record("error", -1, -1, null, code + ": " + text);
        ErrorCode known = ErrorCode.of(code);
        if (known == null) {
            fail("error " + code + ": " + text); // a pipeline failure's own code
            return;
        }
        switch (known) {
            case OVERLOADED -> {
                if (phase == Phase.STARTING || phase == Phase.RESUMING) {
                    // the broker did not take the start/resume: try again on a fresh connection after a back-off
                    forceReconnect("start or resume refused (OVERLOADED)");
                } else if (!paused) {
                    paused = true;
                    pausedAtMs = now;
                    ackWhilePaused = false;
                    record("pause", session.nextToSend(), -1, null, "first unacked " + session.firstUnacked());
                }
            }
            case RATE_LIMITED -> {
                if (phase == Phase.STARTING || phase == Phase.RESUMING) {
                    forceReconnect("start or resume refused (RATE_LIMITED)");
                }
                // otherwise audio too fast: the server closes the socket and we resume from the close
            }
            case IDLE_TIMEOUT, MAX_DURATION -> {
                // the server ended the session: its finals and completed follow, no more audio is taken
                endSent = true;
                endSentMs = now;
                phase = Phase.ENDING;
            }
            case BAD_REQUEST -> {
                // recorded; e.g. audio that crossed an end
            }
            case INTERNAL -> {
                // "the session cannot go on" on this connection: whether it can go on at all, resume tells
                // (an SDK retries; the chunk in flight may be lost, and resume re-sends from the last ack)
                forceReconnect("INTERNAL error");
            }
            default ->
                fail("error " + code + ": "
                        + text); // SESSION_NOT_FOUND, ENGINE_UNAVAILABLE, INTERNAL, UNAUTHORIZED ...
        }
    }

    private void onClosed(Closed closed) {
        record("closed", -1, -1, null, closed.code + " " + closed.reason);
        connection = null;
        if (phase == Phase.DONE || phase == Phase.FAILED) {
            return;
        }
        // 1012 (node restarting), 1013 (try again later), 1006 (dropped): go elsewhere first
        preferredNode = (nodeIndex(closed.node) + 1) % nodeUrls.size();
        connect(true);
    }

    // ---------------------------------------------------------------- audio

    private void maybeSend(long now) {
        int total = plan.program().chunks().size();
        long next = session.nextToSend(); // the backlog's first (re-sent under its own seq), else the next new chunk
        if (phase != Phase.STREAMING || paused || next >= total) {
            return;
        }
        if (next - session.firstUnacked() >= MAX_UNACKED_CHUNKS) {
            return; // bounded buffer: hold back until acks come
        }
        long availableAt = micStartMs + (long) (next * 100 / plan.speed());
        if (now < availableAt) {
            return;
        }
        boolean catchingUp = now - availableAt > 200;
        if (catchingUp && now - lastSendMs < CATCH_UP_GAP_MS) {
            return;
        }
        Connection c = connection;
        long sent;
        try {
            sent = session.resendNext().get(10, TimeUnit.SECONDS);
            if (sent < 0) {
                sent = session.nextSeq();
                session.sendAudio(plan.program().chunks().get((int) sent)).get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            c.lost("send failed: " + e);
            return;
        }
        record("send", sent, -1, null, null);
        lastSendMs = now;
    }

    private void maybeEnd(long now) {
        int total = plan.program().chunks().size();
        if (phase == Phase.STREAMING && !endSent && session.nextToSend() == total && session.firstUnacked() == total) {
            send(connection, session.end());
            record("end", -1, -1, null, null);
            endSent = true;
            endSentMs = now;
            phase = Phase.ENDING;
        }
    }

    /** After OVERLOADED: acks flowed again and have been quiet for a second, so the server holds nothing unacked. */
    private void maybeUnpause(long now) {
        if (!paused) {
            return;
        }
        long firstUnacked = session.firstUnacked();
        if (ackWhilePaused && now - lastAckWhilePausedMs > 1000) {
            paused = false;
            record("unpause", firstUnacked, -1, null, "re-sending from " + firstUnacked);
            session.rewind();
            lastAckProgressMs = now;
        } else if (now - pausedAtMs > 90_000) {
            record("unpause", firstUnacked, -1, null, "no acks for 90 s: reconnecting");
            paused = false;
            forceReconnect("paused without acks");
        } else if (!ackWhilePaused && firstUnacked >= session.nextToSend() && now - pausedAtMs > 3000) {
            // everything sent was acked before the error arrived: nothing is pending, go on
            paused = false;
            record("unpause", firstUnacked, -1, null, "nothing pending");
            session.rewind();
        }
    }

    private void checkStall(long now) {
        if ((phase == Phase.STREAMING || phase == Phase.ENDING)
                && !paused
                && session.firstUnacked() < session.nextToSend()
                && now - Math.max(lastAckProgressMs, resumeSentMs) > ACK_STALL_MS) {
            forceReconnect("no ack for " + ACK_STALL_MS / 1000 + " s");
        } else if (phase == Phase.RESUMING && now - resumeSentMs > RESUME_ANSWER_MS) {
            forceReconnect("no answer to resume");
        } else if (phase == Phase.STARTING && now - resumeSentMs > RESUME_ANSWER_MS) {
            forceReconnect("no answer to start");
        } else if (phase == Phase.ENDING
                && now - Math.max(endSentMs, Math.max(lastResultMs, resumeSentMs)) > COMPLETION_QUIET_MS) {
            forceReconnect("no result for " + COMPLETION_QUIET_MS / 1000 + " s after end");
        }
    }

    // ---------------------------------------------------------------- connections

    private void drop(boolean sameNode) {
        Connection c = connection;
        if (c == null || c.closed || !active()) {
            return;
        }
        record("drop", -1, -1, null, sameNode ? "then resume on the same node" : "then resume on another node");
        c.closed = true;
        c.session.abort();
        connection = null;
        int here = nodeIndex(c.node);
        preferredNode = sameNode ? here : (here + 1) % nodeUrls.size();
        connect(true);
    }

    private void forceReconnect(String why) {
        Connection c = connection;
        record("reconnect", -1, -1, null, why);
        if (c != null) {
            c.closed = true;
            c.session.abort();
            connection = null;
            preferredNode = (nodeIndex(c.node) + 1) % nodeUrls.size();
        }
        connect(true);
    }

    /**
     * Connects (with jittered exponential back-off, rotating over the nodes from the preferred one) and sends
     * start, or resume once a session exists. Returns false if it gave up (the client has failed).
     */
    private boolean connect(boolean backoffFirst) {
        long giveUpAt = System.currentTimeMillis() + RECONNECT_BUDGET_MS;
        int streak = backoffFirst ? reconnectStreak++ : 0;
        for (int attempt = 0; ; attempt++) {
            if (backoffFirst || attempt > 0) {
                long base = Math.min(5000, 200L << Math.min(attempt + streak, 5));
                sleepQuietly(base / 2 + ThreadLocalRandom.current().nextLong(base));
            }
            int node = (preferredNode + attempt) % nodeUrls.size();
            phase = Phase.CONNECTING;
            Connection c = new Connection(++connections, nodeNames.get(node));
            VoiceClient client = new VoiceClient(http, URI.create(nodeUrls.get(node)), Duration.ofSeconds(5));
            boolean resuming = sessionId != null;
            try {
                // a resume is sent as soon as the socket is open, with what the session has: its highest final and
                // its first unacked chunk
                c.session = (resuming
                                ? client.resume(session, plan.token(), VoiceClient.TokenIn.HEADER, c)
                                : client.connect(plan.token(), VoiceClient.TokenIn.HEADER, c))
                        .get(10, TimeUnit.SECONDS)
                        .resendOnResume(false); // re-sent chunks go through maybeSend, paced
            } catch (Exception e) {
                record("connect-failed", -1, -1, null, c.node + ": " + rootMessage(e));
                if (System.currentTimeMillis() > giveUpAt) {
                    fail("could not reconnect within " + RECONNECT_BUDGET_MS / 1000 + " s");
                    return false;
                }
                continue;
            }
            connection = c;
            session = c.session;
            record("connect", -1, -1, null, c.node);
            resumeSentMs = System.currentTimeMillis();
            if (resuming) {
                phase = Phase.RESUMING;
                record("resume", session.firstUnacked(), session.lastFinalIndex(), null, null);
            } else {
                phase = Phase.STARTING;
                send(c, session.start(new ClientMessage.Start(null, "pcm", 16000, null, null, true)));
                record("start", -1, -1, null, null);
            }
            return true;
        }
    }

    /** Waits for a send of the connection's session; one that fails or hangs loses the connection. */
    private static void send(Connection c, CompletableFuture<Void> sent) {
        if (c == null) {
            return;
        }
        try {
            sent.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            c.lost("send failed: " + e);
        }
    }

    private void fail(String why) {
        if (phase == Phase.DONE || phase == Phase.FAILED) {
            return;
        }
        failure = why;
        phase = Phase.FAILED;
        record("failed", -1, -1, null, why);
    }

    private void record(String kind, long seq, int index, String text, String detail) {
        Connection c = connection;
        recorder.accept(new ClientEvent(
                System.currentTimeMillis(),
                plan.name(),
                sessionId,
                c == null ? connections : c.number,
                c == null ? null : c.node,
                kind,
                seq,
                index,
                text,
                detail));
    }

    private int nodeIndex(String node) {
        int i = nodeNames.indexOf(node);
        return Math.max(i, 0);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Closed(int code, String reason, String node) {}

    private record Unreadable(String text) {}

    /** One connection and its session: its listener only queues what arrives; the client's thread handles it. */
    private static final class Connection implements VoiceSession.Listener {

        final int number;
        final String node;
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        volatile VoiceSession session;
        volatile boolean closed;

        Connection(int number, String node) {
            this.number = number;
            this.node = node;
        }

        @Override
        public void onMessage(VoiceSession s, ServerMessage message) {
            inbox.add(message);
        }

        @Override
        public void onUnreadable(VoiceSession s, String text) {
            inbox.add(new Unreadable(text));
        }

        @Override
        public void onClose(VoiceSession s, int statusCode, String reason) {
            lostQuietly(statusCode, reason);
        }

        @Override
        public void onFailure(VoiceSession s, Throwable error) {
            lostQuietly(1006, String.valueOf(error));
        }

        void lost(String why) {
            lostQuietly(1006, why);
            if (session != null) {
                session.abort();
            }
        }

        private synchronized void lostQuietly(int code, String reason) {
            if (!closed) {
                closed = true;
                inbox.add(new Closed(code, reason, node));
            }
        }

        void closeNormally() {
            closed = true;
            try {
                session.close().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                session.abort();
            }
        }
    }
}
