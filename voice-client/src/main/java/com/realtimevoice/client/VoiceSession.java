package com.realtimevoice.client;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One connection and the session on it. Sends are queued (java.net.http allows one outstanding send); audio chunks
 * are numbered from 0 as the server numbers them and kept until the server acks them, so that a
 * {@link VoiceClient#resume} can re-send exactly the ones it lacks. Server messages reach the {@link Listener} on
 * the socket's thread, in order.
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
    private final StringBuilder text = new StringBuilder();
    private volatile WebSocket socket;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    // guarded by this
    private String sessionId;
    private String resumeToken;
    private int lastFinalIndex = -1;
    private long nextSeq;
    private final Deque<Chunk> unacked = new ArrayDeque<>();

    VoiceSession(Listener listener) {
        this.listener = listener;
    }

    /** The same session on a new connection: its identity, finals seen and unacked chunks carry over. */
    synchronized VoiceSession successor() {
        VoiceSession next = new VoiceSession(listener);
        next.sessionId = sessionId;
        next.resumeToken = resumeToken;
        next.lastFinalIndex = lastFinalIndex;
        next.nextSeq = nextSeq;
        next.unacked.addAll(unacked);
        return next;
    }

    public CompletableFuture<Void> start(ClientMessage.Start start) {
        return send(start);
    }

    /** Sends one audio chunk (numbered and kept until acked). */
    public CompletableFuture<Void> sendAudio(byte[] audio) {
        synchronized (this) {
            unacked.addLast(new Chunk(nextSeq++, audio));
        }
        return enqueue(ws -> ws.sendBinary(ByteBuffer.wrap(audio), true));
    }

    public CompletableFuture<Void> end() {
        return send(new ClientMessage.End());
    }

    public CompletableFuture<Void> send(ClientMessage message) {
        String json = ProtocolCodec.write(message);
        return enqueue(ws -> ws.sendText(json, true));
    }

    /** Closes normally once the queued sends are out. */
    public CompletableFuture<Void> close() {
        return enqueue(ws -> ws.isOutputClosed()
                ? CompletableFuture.completedFuture(ws)
                : ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
    }

    /** Drops the connection at once (as a network failure would); the session can be resumed. */
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
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

    public synchronized int unackedChunks() {
        return unacked.size();
    }

    private synchronized CompletableFuture<Void> enqueue(Function<WebSocket, CompletableFuture<WebSocket>> op) {
        CompletableFuture<Void> sent = sendChain
                .handle((r, e) -> null)
                .thenCompose(x -> op.apply(socket))
                .thenApply(ws -> null);
        sendChain = sent;
        return sent;
    }

    private void received(ServerMessage message) {
        synchronized (this) {
            if (message instanceof ServerMessage.Started s) {
                sessionId = s.sessionId();
                resumeToken = s.resumeToken();
                lastFinalIndex = -1;
                nextSeq = 0;
                unacked.clear();
            } else if (message instanceof ServerMessage.Final f) {
                lastFinalIndex = Math.max(lastFinalIndex, f.index());
            } else if (message instanceof ServerMessage.Ack a) {
                while (!unacked.isEmpty() && unacked.peekFirst().seq() <= a.seq()) {
                    unacked.removeFirst();
                }
            }
        }
        if (message instanceof ServerMessage.Resumed r) {
            resend(r.nextSeq());
        }
        listener.onMessage(this, message);
    }

    /** After {@code resumed}: the chunks from the server's nextSeq on go again, under their old numbers. */
    private void resend(long from) {
        Chunk[] again;
        synchronized (this) {
            unacked.removeIf(c -> c.seq() < from);
            again = unacked.toArray(Chunk[]::new);
        }
        for (Chunk c : again) {
            enqueue(ws -> ws.sendBinary(ByteBuffer.wrap(c.audio()), true));
        }
    }

    VoiceSession opened(WebSocket webSocket) {
        socket = webSocket;
        return this;
    }

    WebSocket.Listener socketListener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                socket = webSocket;
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data); // the server may fragment long messages
                if (last) {
                    String json = text.toString();
                    text.setLength(0);
                    ServerMessage message;
                    try {
                        message = ProtocolCodec.parseServer(json);
                    } catch (IllegalArgumentException e) {
                        listener.onUnreadable(VoiceSession.this, json);
                        webSocket.request(1);
                        return null;
                    }
                    received(message);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                listener.onClose(VoiceSession.this, statusCode, reason);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                listener.onFailure(VoiceSession.this, error);
            }
        };
    }
}
