package com.realtimevoice.ingest.stream;

import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One client socket and the recognition session running on it (at most one at a time). Frames arrive on
 * one thread at a time; results arrive on Kafka listener threads and acks on the scheduler, so state changes are
 * synchronized.
 *
 * <p>Sends never block the caller: messages queue in an outbox written with the container's asynchronous send, one
 * at a time. A client that does not read stalls only its own outbox, and is closed once a write has waited longer
 * than {@code INGEST_SEND_TIME_LIMIT} or the outbox holds more than {@code INGEST_SEND_BUFFER_BYTES}. Pings and
 * closes (blocking in the container) run on their own small pool, never on a shared thread.
 */
public final class StreamConnection {

    private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);
    /** The container's timeout for its own blocking frames (ping, close): a stuck socket gives up a pool thread soon. */
    private static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private static final long CONTROL_FRAME_TIMEOUT_MS = 2000;
    private static final java.util.concurrent.ExecutorService CONTROL = controlPool();
    /** The connection whose outbox this thread is writing (a write that completes at once must not recurse). */
    private static final ThreadLocal<StreamConnection> PUMPING = new ThreadLocal<>();

    private final WebSocketSession socket;
    private final jakarta.websocket.Session nativeSession;
    private final long sendTimeLimitNanos;
    private final int sendBufferBytes;
    // The outbox: JSON texts, then at most one CloseStatus (the close after the last message).
    private final java.util.ArrayDeque<Object> outbox = new java.util.ArrayDeque<>();
    private long queuedChars;
    private boolean writing;
    private long writeStartedNanos;
    private boolean closing;
    /** Closed without waiting for the outbox (a slow reader, no pong): its close is on the control pool. */
    private boolean dropped;

    private final long openedAtMs = System.currentTimeMillis();
    /** Token subject once a valid token has been seen; nothing runs before that. */
    private String userId;

    private java.time.Instant tokenExpiresAt;
    private ActiveSession session;
    private boolean closed;
    private final MessageAssembler assembler = new MessageAssembler();
    // Text frames counted in one-second windows (flood control).
    private long controlWindowStartMs;
    private int controlCount;
    // Liveness (INGEST_PONG_TIMEOUT): when the client last sent anything, and when the oldest ping it has not answered
    // since went out. Written without the lock: frames arrive ten times a second and only the sweep reads them.
    private volatile long lastHeardAtMs = System.currentTimeMillis();
    private volatile long unansweredPingAtMs;

    public StreamConnection(WebSocketSession socket, java.time.Duration sendTimeLimit, int sendBufferBytes) {
        this.socket = socket;
        this.sendTimeLimitNanos = sendTimeLimit.toNanos();
        this.sendBufferBytes = sendBufferBytes;
        jakarta.websocket.Session nativeSession = null;
        if (socket instanceof org.springframework.web.socket.adapter.NativeWebSocketSession n) {
            nativeSession = n.getNativeSession(jakarta.websocket.Session.class);
        }
        this.nativeSession = nativeSession;
        if (nativeSession != null) {
            nativeSession.getUserProperties().put(BLOCKING_SEND_TIMEOUT, CONTROL_FRAME_TIMEOUT_MS);
            nativeSession.getAsyncRemote().setSendTimeout(sendTimeLimit.toMillis());
        }
    }

    private static java.util.concurrent.ExecutorService controlPool() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                4,
                4,
                30,
                java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "ingest-socket-control-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    long openedAtMs() {
        return openedAtMs;
    }

    synchronized java.time.Instant tokenExpiresAt() {
        return tokenExpiresAt;
    }

    /**
     * Counts a text frame; returns how many came in the current second (the caller compares with its limit).
     */
    synchronized int countControlMessage(long nowMs) {
        if (nowMs - controlWindowStartMs >= 1000) {
            controlWindowStartMs = nowMs;
            controlCount = 0;
        }
        return ++controlCount;
    }

    public String id() {
        return socket.getId();
    }

    MessageAssembler assembler() {
        return assembler;
    }

    WebSocketSession socket() {
        return socket;
    }

    synchronized String userId() {
        return userId;
    }

    /** Records the token's subject; false if the socket has closed (its per-user counts are released already). */
    synchronized boolean authenticate(String userId, java.time.Instant expiresAt) {
        if (closed) {
            return false;
        }
        this.userId = userId;
        this.tokenExpiresAt = expiresAt;
        return true;
    }

    /** The socket is gone: nothing begins on it any more. Returns the user whose socket count it held, if any. */
    synchronized String markClosed() {
        closed = true;
        return userId;
    }

    synchronized ActiveSession session() {
        return session;
    }

    /** Runs the session on this connection; false if the socket has closed meanwhile (nothing would ever end it). */
    synchronized boolean begin(ActiveSession s) {
        if (closed) {
            return false;
        }
        this.session = s;
        return true;
    }

    /** Forgets the session if it is still the current one; true if it was. */
    synchronized boolean finish(String sessionId) {
        if (session != null && session.sessionId().equals(sessionId)) {
            session = null;
            return true;
        }
        return false;
    }

    /** Queues a message; returns at once whatever the client's reading speed. */
    public void send(ServerMessage message) {
        sendJson(ProtocolCodec.write(message));
    }

    /** As {@link #send}, for a message written once and sent to many sockets (live captions). */
    public void sendJson(String json) {
        boolean slow;
        synchronized (this) {
            if (closing) {
                return;
            }
            outbox.add(json);
            queuedChars += json.length();
            slow = queuedChars > sendBufferBytes || stalled(System.nanoTime());
        }
        if (slow) {
            dropSlowReader();
        } else {
            pump();
        }
    }

    public void sendError(ErrorCode code, String message) {
        send(new ServerMessage.Error(code, message));
        if (code.close != null) {
            close(new CloseStatus(code.close.code, code.closeReason));
        }
    }

    /** Closes once the messages queued before are written (an error, then its close code). */
    public void close(CloseStatus status) {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            outbox.add(status);
        }
        pump();
    }

    /** Anything arrived from the client (a frame of any kind, a pong included): it is alive and its socket is read. */
    public void heard() {
        lastHeardAtMs = System.currentTimeMillis();
    }

    /**
     * Whether a ping went out more than {@code timeoutMs} ago and nothing has come from the client since. Every
     * WebSocket client answers a ping by itself (RFC 6455), so such a socket is dead or half-open (a phone that
     * changed networks), or the server no longer reads it: either way nothing else would ever close it.
     */
    public synchronized boolean unanswered(long nowMs, long timeoutMs) {
        if (closing) {
            return false; // being closed already (its close frame may take the container's 2 s): counted once
        }
        long pingAt = unansweredPingAtMs;
        return timeoutMs > 0 && pingAt > lastHeardAtMs && nowMs - pingAt > timeoutMs;
    }

    /** Closes a socket that stopped answering pings (the close frame may never go out, hence the control pool). */
    public void dropUnanswering(long timeoutMs) {
        drop(new CloseStatus(1001, "no pong"), "no answer to a ping for " + timeoutMs + " ms");
    }

    /** A WebSocket ping, unless the outbox is busy (data is flowing, or the client is not reading). */
    public void ping() {
        synchronized (this) {
            if (closing || writing || !outbox.isEmpty()) {
                return;
            }
        }
        long now = System.currentTimeMillis();
        if (unansweredPingAtMs <= lastHeardAtMs) {
            unansweredPingAtMs = now; // the oldest ping not answered yet is the one that counts
        }
        CONTROL.execute(() -> {
            try {
                socket.sendMessage(new org.springframework.web.socket.PingMessage(java.nio.ByteBuffer.allocate(0)));
            } catch (IOException | RuntimeException e) {
                log.debug("ping to {} failed: {}", socket.getId(), e.getMessage());
            }
        });
    }

    /** The outbox's state, for diagnostics (a socket that is neither read nor dropped). */
    @Override
    public synchronized String toString() {
        return socket.getId() + " user=" + userId + " writing=" + writing + " since="
                + (System.nanoTime() - writeStartedNanos) / 1_000_000 + "ms outbox="
                + outbox.size() + " chars=" + queuedChars + " closing=" + closing + " closed=" + closed;
    }

    /** Whether a write has waited past the send time limit (checked on every send and once a second). */
    public synchronized boolean stalled(long nowNanos) {
        // once dropped, the stuck write stays stuck until the close lands: not a new stall, counted once
        return !dropped && writing && nowNanos - writeStartedNanos > sendTimeLimitNanos;
    }

    /** A client that does not read its socket: closed (on the control pool, as the close frame may never go out). */
    public void dropSlowReader() {
        drop(new CloseStatus(1008, "too slow reading"), "the client does not read what is sent to it");
    }

    /** Discards what is queued and closes without waiting for it. */
    private void drop(CloseStatus status, String why) {
        synchronized (this) {
            closing = true;
            dropped = true;
            outbox.clear();
            queuedChars = 0;
        }
        log.info("closing {}: {}", socket.getId(), why);
        closeNow(status);
    }

    /** Closes on the calling thread: at shutdown, so that every client hears the close code before the node exits. */
    public void closeAtOnce(CloseStatus status) {
        synchronized (this) {
            closing = true;
        }
        try {
            socket.close(status);
        } catch (IOException | RuntimeException e) {
            log.debug("close of {} failed: {}", socket.getId(), e.getMessage());
        }
    }

    private void closeNow(CloseStatus status) {
        CONTROL.execute(() -> {
            try {
                socket.close(status);
            } catch (IOException | RuntimeException e) {
                log.debug("close of {} failed: {}", socket.getId(), e.getMessage());
            }
        });
    }

    /** Writes the outbox, one asynchronous send at a time; the completion of each starts the next. */
    private void pump() {
        if (PUMPING.get() == this) {
            return; // a send that completed at once, inside the loop below: the loop takes the next message
        }
        StreamConnection outer = PUMPING.get();
        PUMPING.set(this);
        try {
            while (true) {
                Object next;
                synchronized (this) {
                    if (writing || outbox.isEmpty()) {
                        return;
                    }
                    next = outbox.poll();
                    if (next instanceof String text) {
                        queuedChars -= text.length();
                        writing = true;
                        writeStartedNanos = System.nanoTime();
                    }
                }
                if (next instanceof CloseStatus status) {
                    closeNow(status);
                    return;
                }
                write((String) next);
            }
        } finally {
            PUMPING.set(outer);
        }
    }

    private void write(String json) {
        if (nativeSession == null) {
            // not a container socket (never in the product): a plain send
            try {
                socket.sendMessage(new TextMessage(json));
            } catch (IOException | RuntimeException e) {
                log.debug("send to {} failed: {}", socket.getId(), e.getMessage());
            }
            written(true);
            return;
        }
        try {
            nativeSession.getAsyncRemote().sendText(json, result -> {
                if (!result.isOK()) {
                    log.debug("send to {} failed: {}", socket.getId(), String.valueOf(result.getException()));
                }
                written(result.isOK());
            });
        } catch (RuntimeException e) {
            log.debug("send to {} failed: {}", socket.getId(), e.getMessage());
            written(false);
        }
    }

    private void written(boolean ok) {
        synchronized (this) {
            writing = false;
            if (!ok) {
                closing = true; // the socket is broken or timed out: the container closes it
                outbox.clear();
                queuedChars = 0;
            }
        }
        if (ok) {
            pump();
        } else {
            closeNow(CloseStatus.SESSION_NOT_RELIABLE);
        }
    }
}
