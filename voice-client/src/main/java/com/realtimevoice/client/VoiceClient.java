package com.realtimevoice.client;

import com.realtimevoice.protocol.ClientMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
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

    /** @param stream the stream URL, ws:// or wss:// */
    public VoiceClient(HttpClient http, URI stream, Duration connectTimeout) {
        this.http = http;
        this.stream = stream;
        this.connectTimeout = connectTimeout;
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
        VoiceSession session = dropped.successor();
        return open(token, tokenIn, session)
                .thenCompose(s -> s.send(new ClientMessage.Resume(
                                dropped.sessionId(),
                                dropped.resumeToken(),
                                dropped.lastFinalIndex(),
                                dropped.firstUnacked(),
                                null))
                        .thenApply(x -> s));
    }

    private CompletableFuture<VoiceSession> open(String token, TokenIn tokenIn, VoiceSession session) {
        var builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        URI uri = stream;
        if (token != null && tokenIn == TokenIn.HEADER) {
            builder.header("Authorization", "Bearer " + token);
        } else if (token != null) {
            uri = URI.create(stream + (stream.getRawQuery() == null ? "?" : "&") + "token=" + token);
        }
        return builder.buildAsync(uri, session.socketListener()).thenApply(session::opened);
    }
}
