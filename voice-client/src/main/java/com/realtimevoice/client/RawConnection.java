package com.realtimevoice.client;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One WebSocket connection below the protocol, on java.net.http: whole text messages in (fragments joined), any
 * text or binary out (queued, as java.net.http allows one outstanding send), the server's close code. The one
 * transport of {@link VoiceSession} and {@link CaptionWatcher}; tests use it directly to send what the protocol
 * module would never write (malformed or hostile frames).
 */
public final class RawConnection {

    /** What arrives; every method has a default that ignores it. Called on the socket's thread, in order. */
    public interface Listener {
        /** A whole text message (the server may fragment long ones). */
        default void onText(RawConnection connection, String text) {}

        /** The server closed the connection (after its close frame). */
        default void onClose(RawConnection connection, int code, String reason) {}

        /** The connection failed (reset, TLS, a send that failed). */
        default void onFailure(RawConnection connection, Throwable error) {}
    }

    private final Listener listener;
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile WebSocket socket;
    // guarded by this
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);

    private RawConnection(Listener listener) {
        this.listener = listener;
    }

    /**
     * Connects to {@code uri} with extra upgrade-request headers (e.g. {@code Authorization}); the future fails with
     * the handshake's failure (a WebSocketHandshakeException for an HTTP refusal).
     */
    public static CompletableFuture<RawConnection> open(
            HttpClient http, URI uri, Map<String, String> headers, Duration connectTimeout, Listener listener) {
        RawConnection connection = new RawConnection(listener);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        headers.forEach(builder::header);
        return builder.buildAsync(uri, connection.socketListener()).thenApply(ws -> {
            connection.socket = ws;
            return connection;
        });
    }

    /** Sends a protocol message, written by the protocol module. */
    public CompletableFuture<Void> send(ClientMessage message) {
        return sendText(ProtocolCodec.write(message));
    }

    /** Sends any text frame, as it is (a protocol message or not). */
    public CompletableFuture<Void> sendText(String text) {
        return enqueue(ws -> ws.sendText(text, true));
    }

    public CompletableFuture<Void> sendBinary(byte[] data) {
        return enqueue(ws -> ws.sendBinary(ByteBuffer.wrap(data), true));
    }

    /** Sends a close frame once the queued sends are out (nothing if the output is closed already). */
    public CompletableFuture<Void> close(int code, String reason) {
        return enqueue(ws -> ws.isOutputClosed() ? CompletableFuture.completedFuture(ws) : ws.sendClose(code, reason));
    }

    /** Drops the connection at once, with no close frame (as a network failure would). */
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    public boolean isOutputClosed() {
        WebSocket ws = socket;
        return ws != null && ws.isOutputClosed();
    }

    /** Completes with the server's close code, or exceptionally when the connection failed instead. */
    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    private synchronized CompletableFuture<Void> enqueue(Function<WebSocket, CompletableFuture<WebSocket>> op) {
        CompletableFuture<Void> sent = sendChain
                .handle((r, e) -> null)
                .thenCompose(x -> op.apply(socket))
                .thenApply(ws -> null);
        sendChain = sent;
        return sent;
    }

    private WebSocket.Listener socketListener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                socket = webSocket;
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String whole = text.toString();
                    text.setLength(0);
                    listener.onText(RawConnection.this, whole);
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
                closeCode.complete(statusCode);
                listener.onClose(RawConnection.this, statusCode, reason);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closeCode.completeExceptionally(error);
                listener.onFailure(RawConnection.this, error);
            }
        };
    }
}
