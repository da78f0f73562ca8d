package com.realtimevoice.client;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * One connection and the session on it. Sends are queued ({@link RawConnection}); audio chunks are numbered from 0
 * as the server numbers them and kept until the server acks them, so that a {@link VoiceClient#resume} can re-send
 * exactly the ones it lacks, and {@link #rewind} (after {@code OVERLOADED}) the ones after the last ack. Re-sends go
 * at once, or, with {@link #resendOnResume resendOnResume(false)}, one per {@link #resendNext} at the caller's pace.
 * Server messages reach the {@link Listener} on the socket's thread, in order.
 */
public final class VoiceSession {

    /** Server messages and the end of the connection. Every method has a default that ignores it. */
    public interface Listener {
        default void onMessage(VoiceSession session, ServerMessage message) {}

        /** A text frame that is not a protocol message (a server bug or a wrong endpoint). */
        default void onUnreadable(VoiceSession session, String text) {}

        /** The server closed the connection (after its close frame). */
        default void onClose(VoiceSession session, int code, String reason) {}

        /** The connection failed (reset, TLS, a send that failed). */
        default void onFailure(VoiceSession session, Throwable error) {}
    }

    private record Chunk(long seq, byte[] audio) {}

    private final Listener listener;
    private volatile RawConnection connection;
    // guarded by this
    private String sessionId;
    private String resumeToken;
    private int lastFinalIndex = -1;
    private long nextSeq;
    private boolean autoResend = true;
    /** Sent and not acked yet, in seq order. */
    private final Deque<Chunk> unacked = new ArrayDeque<>();
    /** Unacked chunks due to go again (after {@code resumed} or a {@link #rewind}), in seq order. */
    private final Deque<Chunk> backlog = new ArrayDeque<>();

    VoiceSession(Listener listener) {
        this.listener = listener;
    }

    /** The same session on a new connection: its identity, finals seen and unacked chunks carry over. */
    synchronized VoiceSession successor(Listener listener) {
        VoiceSession next = new VoiceSession(listener == null ? this.listener : listener);
        next.sessionId = sessionId;
        next.resumeToken = resumeToken;
        next.lastFinalIndex = lastFinalIndex;
        next.nextSeq = nextSeq;
        next.autoResend = autoResend;
        next.unacked.addAll(unacked);
        return next;
    }

    public CompletableFuture<Void> start(ClientMessage.Start start) {
        return send(start);
    }

    /** Sends one new audio chunk (numbered and kept until acked); a backlog, if any, should go first. */
    public CompletableFuture<Void> sendAudio(byte[] audio) {
        synchronized (this) {
            unacked.addLast(new Chunk(nextSeq++, audio));
        }
        return connection.sendBinary(audio);
    }

    public CompletableFuture<Void> end() {
        return send(new ClientMessage.End());
    }

    public CompletableFuture<Void> send(ClientMessage message) {
        return connection.send(message);
    }

    /** Closes normally once the queued sends are out. */
    public CompletableFuture<Void> close() {
        return connection.close(CloseCode.NORMAL.code, "done");
    }

    /** Drops the connection at once (as a network failure would); the session can be resumed. */
    public void abort() {
        RawConnection c = connection;
        if (c != null) {
            c.abort();
        }
    }

    /**
     * Whether a {@code resumed} re-sends the chunks the server lacks at once (the default), or leaves them in the
     * backlog for {@link #resendNext} (a client that paces its catch-up under the server's rate limit). Carries over
     * to the sessions that resume this one.
     */
    public synchronized VoiceSession resendOnResume(boolean atOnce) {
        autoResend = atOnce;
        return this;
    }

    /**
     * After {@code OVERLOADED} (the server refused audio and numbers none of it), once acks have caught up: every
     * unacked chunk goes again, from the one after the last ack, by {@link #resendNext}. Returns how many.
     */
    public synchronized int rewind() {
        backlog.clear();
        backlog.addAll(unacked);
        return backlog.size();
    }

    /**
     * Sends the next chunk of the backlog under its own seq; the future completes with that seq once it is sent (-1
     * at once if the backlog is empty).
     */
    public CompletableFuture<Long> resendNext() {
        Chunk c;
        synchronized (this) {
            c = backlog.pollFirst();
        }
        if (c == null) {
            return CompletableFuture.completedFuture(-1L);
        }
        return connection.sendBinary(c.audio()).thenApply(x -> c.seq());
    }

    public synchronized String sessionId() {
        return sessionId;
    }

    public synchronized String resumeToken() {
        return resumeToken;
    }

    /** The highest final index received, -1 for none. */
    public synchronized int lastFinalIndex() {
        return lastFinalIndex;
    }

    /** The seq of the first chunk the server has not acked: where a resume continues. */
    public synchronized long firstUnacked() {
        return unacked.isEmpty() ? nextSeq : unacked.peekFirst().seq();
    }

    /** The seq the next new chunk of {@link #sendAudio} gets (the number of chunks numbered so far). */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /** The seq of the chunk that goes on the wire next: the backlog's first, else the next new one. */
    public synchronized long nextToSend() {
        return backlog.isEmpty() ? nextSeq : backlog.peekFirst().seq();
    }

    public synchronized int unackedChunks() {
        return unacked.size();
    }

    /** Chunks waiting to be re-sent. */
    public synchronized int backlog() {
        return backlog.size();
    }

    private void received(ServerMessage message) {
        boolean resendNow = false;
        synchronized (this) {
            if (message instanceof ServerMessage.Started s) {
                sessionId = s.sessionId();
                resumeToken = s.resumeToken();
                lastFinalIndex = -1;
                nextSeq = 0;
                unacked.clear();
                backlog.clear();
            } else if (message instanceof ServerMessage.Final f) {
                lastFinalIndex = Math.max(lastFinalIndex, f.index());
            } else if (message instanceof ServerMessage.Ack a) {
                while (!unacked.isEmpty() && unacked.peekFirst().seq() <= a.seq()) {
                    unacked.removeFirst();
                }
                while (!backlog.isEmpty() && backlog.peekFirst().seq() <= a.seq()) {
                    backlog.removeFirst();
                }
            } else if (message instanceof ServerMessage.Resumed r) {
                // the chunks from the server's nextSeq on go again, under their old numbers
                long from = r.nextSeq();
                unacked.removeIf(c -> c.seq() < from);
                backlog.clear();
                backlog.addAll(unacked);
                resendNow = autoResend;
            }
        }
        if (resendNow) {
            while (backlog() > 0) {
                resendNext(); // queued in order on the connection
            }
        }
        listener.onMessage(this, message);
    }

    VoiceSession opened(RawConnection raw) {
        connection = raw;
        return this;
    }

    RawConnection.Listener connectionListener() {
        return new RawConnection.Listener() {
            @Override
            public void onText(RawConnection raw, String json) {
                connection = raw;
                ServerMessage message;
                try {
                    message = ProtocolCodec.parseServer(json);
                } catch (IllegalArgumentException e) {
                    listener.onUnreadable(VoiceSession.this, json);
                    return;
                }
                received(message);
            }

            @Override
            public void onClose(RawConnection raw, int code, String reason) {
                listener.onClose(VoiceSession.this, code, reason);
            }

            @Override
            public void onFailure(RawConnection raw, Throwable error) {
                listener.onFailure(VoiceSession.this, error);
            }
        };
    }
}
