package com.realtimevoice.ingest.watch;

import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.stream.StreamConnection;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /api/realtime-voice/watch?token=W[&lastIndex=N]}: a read-only socket of one session's captions. The token
 * is checked at the handshake (a forged, expired or malformed one gets HTTP 401 and no socket); a revoked one is
 * closed with 4001 once this node knows the session's epoch. A watcher may send {@code {"type":"ping"}}; anything
 * else gets BAD_REQUEST and changes nothing: a watcher can never send audio or control the session.
 */
@Component
class WatchSocketHandler extends AbstractWebSocketHandler implements HandshakeInterceptor {

    static final String WATCH_PATH = "/api/realtime-voice/watch";
    private static final String CLAIMS = "rv.watch.claims";
    private static final String LAST_INDEX = "rv.watch.lastIndex";
    private static final String CONNECTION = "rv.watch.connection";
    /** The largest {@code lastIndex}: an int final index, well past any session's segment count. */
    static final int MAX_LAST_INDEX = 10_000_000;

    private final WatchTokens tokens;
    private final WatchHub hub;
    private final IngestProperties properties;

    WatchSocketHandler(WatchTokens tokens, WatchHub hub, IngestProperties properties) {
        this.tokens = tokens;
        this.hub = hub;
        this.properties = properties;
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes)
            throws java.io.IOException {
        var query = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams();
        // the link's own token first: a client may send its user token in the header out of habit
        String token = query.getFirst("token");
        if (token == null || token.isEmpty()) {
            token = com.realtimevoice.ingest.auth.Tokens.fromAuthorizationHeader(
                    request.getHeaders().getFirst(org.springframework.http.HttpHeaders.AUTHORIZATION));
        }
        WatchTokens.Claims claims = tokens.verify(token, System.currentTimeMillis());
        if (claims == null) {
            refuse(
                    response,
                    HttpStatus.UNAUTHORIZED,
                    ErrorCode.UNAUTHORIZED,
                    "a valid watch token is required (?token=...); it may have expired: ask the speaker for a new link");
            return false;
        }
        int lastIndex = -1;
        String last = query.getFirst("lastIndex");
        if (last != null && !last.isEmpty()) {
            try {
                lastIndex = Integer.parseInt(last.strip());
            } catch (NumberFormatException e) {
                lastIndex = Integer.MIN_VALUE;
            }
            if (lastIndex < -1 || lastIndex > MAX_LAST_INDEX) {
                refuse(
                        response,
                        HttpStatus.BAD_REQUEST,
                        ErrorCode.BAD_REQUEST,
                        "lastIndex must be an integer from -1 to " + MAX_LAST_INDEX);
                return false;
            }
        }
        attributes.put(CLAIMS, claims);
        attributes.put(LAST_INDEX, lastIndex);
        return true;
    }

    private static void refuse(ServerHttpResponse response, HttpStatus status, ErrorCode code, String message)
            throws java.io.IOException {
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getBody()
                .write(com.realtimevoice.protocol.ProtocolCodec.write(new ServerMessage.Error(code, message))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception e) {}

    @Override
    public void afterConnectionEstablished(WebSocketSession socket) {
        StreamConnection connection = new StreamConnection(
                socket, properties.limits().sendTimeLimit(), properties.limits().sendBufferBytes());
        socket.getAttributes().put(CONNECTION, connection);
        hub.join(connection, claims(socket), (Integer) socket.getAttributes().get(LAST_INDEX));
    }

    /** Any frame, a pong included, shows the watcher alive (INGEST_PONG_TIMEOUT). */
    @Override
    public void handleMessage(WebSocketSession socket, org.springframework.web.socket.WebSocketMessage<?> message)
            throws Exception {
        StreamConnection connection = (StreamConnection) socket.getAttributes().get(CONNECTION);
        if (connection != null) {
            connection.heard();
        }
        super.handleMessage(socket, message);
    }

    @Override
    protected void handleTextMessage(WebSocketSession socket, TextMessage message) {
        StreamConnection connection = (StreamConnection) socket.getAttributes().get(CONNECTION);
        String text = message.getPayload();
        if (text.length() <= 64 && text.replace(" ", "").equals("{\"type\":\"ping\"}")) {
            connection.send(new ServerMessage.Pong());
            return;
        }
        connection.send(new ServerMessage.Error(
                ErrorCode.BAD_REQUEST, "a watch socket is read-only: only {\"type\":\"ping\"} may be sent"));
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession socket, BinaryMessage message) {
        StreamConnection connection = (StreamConnection) socket.getAttributes().get(CONNECTION);
        connection.send(new ServerMessage.Error(
                ErrorCode.BAD_REQUEST, "a watch socket is read-only: audio goes to the speaker's stream"));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession socket, CloseStatus status) {
        WatchTokens.Claims claims = claims(socket);
        if (claims != null) {
            hub.leave(claims.sessionId(), socket.getId());
        }
    }

    private static WatchTokens.Claims claims(WebSocketSession socket) {
        return (WatchTokens.Claims) socket.getAttributes().get(CLAIMS);
    }
}
