package com.realtimevoice.ingest.stream;

import com.realtimevoice.ingest.auth.Tokens;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Picks the token from the upgrade request: the Authorization header ({@code wx.connectSocket} can set it) or
 * the {@code token} query parameter (browsers cannot set headers). It is checked once the socket is open, so
 * that a bad token gets the contract's JSON error and close code 1008 instead of a bare HTTP 401.
 */
class TokenHandshakeInterceptor implements HandshakeInterceptor {

    static final String TOKEN_ATTRIBUTE = "rv.token";

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes) {
        String token = Tokens.fromAuthorizationHeader(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            token = UriComponentsBuilder.fromUri(request.getURI())
                    .build()
                    .getQueryParams()
                    .getFirst("token");
        }
        if (token != null && !token.isBlank()) {
            attributes.put(TOKEN_ATTRIBUTE, token);
        }
        return true;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {}
}
