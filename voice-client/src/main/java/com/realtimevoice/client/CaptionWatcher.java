package com.realtimevoice.client;

import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Watches a session's live captions from a watch link ({@code ws(s)://HOST/api/realtime-voice/watch?token=W}): the
 * finals so far, then partials and finals live, then {@code completed}. It remembers the last final index it saw, so
 * {@link #reconnect} (after a dropped connection, to the same or another node) continues with no gap or duplicate.
 */
public final class CaptionWatcher {

    /** Server messages and the end of the connection; every method has a default that ignores it. */
    public interface Listener {
        default void onMessage(ServerMessage message) {}

        /** The server closed the socket: 1000 after completed, 4001 revoked, 1013 over a limit, 1008 too slow. */
        default void onClose(int code, String reason) {}

        default void onFailure(Throwable error) {}
    }

    private final HttpClient http;
    private final URI url;
    private final Listener listener;
    private final Duration connectTimeout;
    private volatile int lastFinalIndex = -1;
    private volatile RawConnection connection;

    private CaptionWatcher(HttpClient http, URI url, Duration connectTimeout, Listener listener) {
        this.http = http;
        this.url = url;
        this.listener = listener;
        this.connectTimeout = connectTimeout;
    }

    /** Connects; fails (with the handshake's status in the message) for a bad or expired link (HTTP 401). */
    public static CompletableFuture<CaptionWatcher> open(
            HttpClient http, URI url, Duration connectTimeout, Listener listener) {
        CaptionWatcher watcher = new CaptionWatcher(http, url, connectTimeout, listener);
        return watcher.connect(url).thenApply(ws -> watcher);
    }

    /** Connects again (to {@code url}, or the original link when null) and continues after the last final seen. */
    public CompletableFuture<CaptionWatcher> reconnect(URI url) {
        URI base = url == null ? this.url : url;
        String resumed = base + (base.getRawQuery() == null ? "?" : "&") + "lastIndex=" + lastFinalIndex;
        return connect(URI.create(resumed)).thenApply(ws -> this);
    }

    public int lastFinalIndex() {
        return lastFinalIndex;
    }

    public void close() {
        RawConnection c = connection;
        if (c != null && !c.isOutputClosed()) {
            c.close(CloseCode.NORMAL.code, "bye");
        }
    }

    private CompletableFuture<RawConnection> connect(URI target) {
        return RawConnection.open(http, target, Map.of(), connectTimeout, new RawConnection.Listener() {
                    @Override
                    public void onText(RawConnection raw, String json) {
                        connection = raw;
                        try {
                            ServerMessage message = ProtocolCodec.parseServer(json);
                            if (message instanceof ServerMessage.Final f) {
                                lastFinalIndex = Math.max(lastFinalIndex, f.index());
                            }
                            listener.onMessage(message);
                        } catch (IllegalArgumentException e) {
                            // not a protocol message: ignored, as a client of a later version ignores what it does not
                            // know
                        }
                    }

                    @Override
                    public void onClose(RawConnection raw, int code, String reason) {
                        listener.onClose(code, reason);
                    }

                    @Override
                    public void onFailure(RawConnection raw, Throwable error) {
                        listener.onFailure(error);
                    }
                })
                .thenApply(raw -> {
                    connection = raw;
                    return raw;
                });
    }
}
