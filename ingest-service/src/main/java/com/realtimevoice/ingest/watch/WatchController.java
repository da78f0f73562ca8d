package com.realtimevoice.ingest.watch;

import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.web.ApiError;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The owner's side of live captions. {@code POST /api/sessions/{id}/watchers}: result-service checks the caller's
 * token and that the session is theirs (anyone else gets 404, as for history) and gives its watch epoch; this node
 * signs a watch token bound to the session. {@code DELETE} revokes every token of the session (result-service moves
 * the epoch on and tells the nodes watching it, which close those watchers).
 */
@RestController
class WatchController {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long RETRY_MS = 100;

    private final RestClient resultService;
    private final WatchTokens tokens;
    private final WatchProperties settings;
    private final MeterRegistry meters;

    WatchController(
            RestClient.Builder builder,
            IngestProperties properties,
            WatchTokens tokens,
            WatchProperties settings,
            MeterRegistry meters) {
        this.resultService = builder.baseUrl(properties.resultServiceUrl()).build();
        this.tokens = tokens;
        this.settings = settings;
        this.meters = meters;
    }

    @PostMapping("/api/sessions/{sessionId}/watchers")
    ResponseEntity<?> create(
            @PathVariable String sessionId,
            HttpServletRequest request,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization)
            throws InterruptedException {
        // A session is stored a moment after its `started` reached the speaker: a link asked for at once waits for it.
        long deadline = System.nanoTime() + settings.grantWait().toNanos();
        Answer grant;
        while (true) {
            grant = call(HttpMethod.POST, "/api/sessions/{id}/watch-grant", sessionId, authorization);
            if (grant.status() != 404 || System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(RETRY_MS);
        }
        if (grant.status() != 200) {
            return grant.asResponse();
        }
        JsonNode body = JSON.readTree(grant.body());
        Instant expiresAt = Instant.now().plus(settings.tokenTtl());
        String token = tokens.issue(new WatchTokens.Claims(
                sessionId, body.path("userId").asString(), body.path("epoch").asInt(), expiresAt.toEpochMilli()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("watchToken", token);
        answer.put("expiresAt", expiresAt.toString());
        answer.put("url", watchUrl(request, token));
        meters.counter("ingest.watch.tokens.issued").increment();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
    }

    @DeleteMapping("/api/sessions/{sessionId}/watchers")
    ResponseEntity<?> revoke(
            @PathVariable String sessionId,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        return call(HttpMethod.DELETE, "/api/sessions/{id}/watchers", sessionId, authorization)
                .asResponse();
    }

    /**
     * Where watchers connect: this host as the client reached it (behind a TLS proxy, X-Forwarded-Proto/-Host say
     * how), ws:// or wss:// to match.
     */
    static String watchUrl(HttpServletRequest request, String token) {
        String proto = firstValue(request.getHeader("X-Forwarded-Proto"));
        boolean secure =
                proto != null ? proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("wss") : request.isSecure();
        String host = firstValue(request.getHeader("X-Forwarded-Host"));
        if (host == null) {
            host = request.getHeader(HttpHeaders.HOST);
        }
        if (host == null || !host.matches("[A-Za-z0-9.:\\[\\]_-]{1,255}")) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return (secure ? "wss://" : "ws://") + host + WatchSocketHandler.WATCH_PATH + "?token=" + token;
    }

    private static String firstValue(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        return header.split(",")[0].strip();
    }

    private Answer call(HttpMethod method, String path, String sessionId, String authorization) {
        try {
            return resultService
                    .method(method)
                    .uri(path, Map.of("id", sessionId))
                    .headers(h -> {
                        if (authorization != null) {
                            h.set(HttpHeaders.AUTHORIZATION, authorization);
                        }
                    })
                    .exchange((req, response) -> new Answer(
                            response.getStatusCode().value(),
                            response.getBody().readAllBytes(),
                            response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)));
        } catch (RestClientException e) {
            return new Answer(503, null, null);
        }
    }

    /** result-service's answer, passed on as it is (its errors are the contract's JSON already). */
    private record Answer(int status, byte[] body, String wwwAuthenticate) {

        ResponseEntity<?> asResponse() {
            if (status == 503 && body == null) {
                return ApiError.response(
                        ApiError.OVERLOADED, "live captions are unavailable right now: try again shortly");
            }
            ResponseEntity.BodyBuilder answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
            if (wwwAuthenticate != null) {
                answer.header(HttpHeaders.WWW_AUTHENTICATE, wwwAuthenticate);
            }
            return body == null || body.length == 0 ? answer.build() : answer.body(body);
        }
    }
}
