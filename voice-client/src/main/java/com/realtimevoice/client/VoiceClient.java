package com.realtimevoice.client;

import com.realtimevoice.protocol.ClientMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Opens streaming sessions against an ingest node's {@code /api/realtime-voice/stream}. One client (and its
 * HttpClient) serves any number of sessions; a {@link VoiceSession} has no thread of its own, so thousands fit.
 */
public final class VoiceClient {

    /** Where the token goes: the upgrade request's Authorization header, or the {@code token} query parameter. */
    public enum TokenIn {
        HEADER,
        QUERY
    }

    private final HttpClient http;
    private final URI stream;
    private final Duration connectTimeout;
    private final Map<String, String> headers;

    /** @param stream the stream URL, ws:// or wss:// */
    public VoiceClient(HttpClient http, URI stream, Duration connectTimeout) {
        this(http, stream, connectTimeout, Map.of());
    }

    private VoiceClient(HttpClient http, URI stream, Duration connectTimeout, Map<String, String> headers) {
        this.http = http;
        this.stream = stream;
        this.connectTimeout = connectTimeout;
        this.headers = headers;
    }

    /** This client with one more header on every upgrade request (as a mini-program's wx.connectSocket sends them). */
    public VoiceClient withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new VoiceClient(http, stream, connectTimeout, Map.copyOf(more));
    }

    /** Connects; the future fails with the handshake's failure (a WebSocketHandshakeException for an HTTP refusal). */
    public CompletableFuture<VoiceSession> connect(String token, TokenIn tokenIn, VoiceSession.Listener listener) {
        VoiceSession session = new VoiceSession(listener);
        return open(token, tokenIn, session);
    }

    /**
     * Picks {@code dropped} up on a new connection: sends {@code resume} with the highest final it saw and its
     * first unacknowledged chunk, and once {@code resumed} arrives re-sends the chunks the server lacks.
     */
    public CompletableFuture<VoiceSession> resume(VoiceSession dropped, String token, TokenIn tokenIn) {
        return resume(dropped, token, tokenIn, null);
    }

    /** {@link #resume(VoiceSession, String, TokenIn)} with a listener of its own for the new connection. */
    public CompletableFuture<VoiceSession> resume(
            VoiceSession dropped, String token, TokenIn tokenIn, VoiceSession.Listener listener) {
        VoiceSession session = dropped.successor(listener);
        return open(token, tokenIn, session)
                .thenCompose(s -> s.send(new ClientMessage.Resume(
                                dropped.sessionId(),
                                dropped.resumeToken(),
                                dropped.lastFinalIndex(),
                                dropped.firstUnacked(),
                                null))
                        .thenApply(x -> s));
    }

    /**
     * A connection below the protocol, with this client's headers and {@code token} as {@link #connect} places it:
     * for clients (tests) that send frames the protocol module would not write.
     */
    public CompletableFuture<RawConnection> connectRaw(String token, TokenIn tokenIn, RawConnection.Listener listener) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        URI uri = stream;
        if (token != null && tokenIn == TokenIn.HEADER) {
            all.put("Authorization", "Bearer " + token);
        } else if (token != null) {
            uri = URI.create(stream + (stream.getRawQuery() == null ? "?" : "&") + "token=" + token);
        }
        return RawConnection.open(http, uri, all, connectTimeout, listener);
    }

    private CompletableFuture<VoiceSession> open(String token, TokenIn tokenIn, VoiceSession session) {
        return connectRaw(token, tokenIn, session.connectionListener()).thenApply(session::opened);
    }
}
