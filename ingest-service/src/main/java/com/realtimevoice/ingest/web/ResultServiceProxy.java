package com.realtimevoice.ingest.web;

import com.realtimevoice.ingest.config.IngestProperties;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.UriBuilder;

/**
 * Transcript history and WeChat login live in result-service (it holds the database); clients know one host, so
 * the ingest node passes these requests through as they are. result-service checks tokens and ownership itself.
 */
@RestController
class ResultServiceProxy {

    private final RestClient resultService;

    ResultServiceProxy(RestClient.Builder builder, IngestProperties properties) {
        this.resultService = builder.baseUrl(properties.resultServiceUrl()).build();
    }

    @GetMapping("/api/sessions")
    ResponseEntity<?> sessions(
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String before,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        return history(
                HttpMethod.GET,
                authorization,
                b -> b.path("/api/sessions")
                        .queryParamIfPresent("limit", Optional.ofNullable(limit).map(v -> "{limit}"))
                        .queryParamIfPresent(
                                "before", Optional.ofNullable(before).map(v -> "{before}"))
                        .build(variables("limit", limit, "before", before)));
    }

    @GetMapping("/api/sessions/{sessionId}")
    ResponseEntity<?> session(
            @PathVariable String sessionId,
            @RequestParam(required = false) String format,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        return history(
                HttpMethod.GET,
                authorization,
                b -> b.path("/api/sessions/{id}")
                        .queryParamIfPresent(
                                "format", Optional.ofNullable(format).map(v -> "{format}"))
                        .build(variables("id", sessionId, "format", format)));
    }

    @DeleteMapping("/api/sessions/{sessionId}")
    ResponseEntity<?> delete(
            @PathVariable String sessionId,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        return history(
                HttpMethod.DELETE,
                authorization,
                b -> b.path("/api/sessions/{id}").build(Map.of("id", sessionId)));
    }

    /** Passes a history request on with the caller's token; the answer keeps its status, type and file name. */
    private ResponseEntity<?> history(HttpMethod method, String authorization, Function<UriBuilder, URI> uri) {
        try {
            return resultService
                    .method(method)
                    .uri(uri)
                    .headers(h -> {
                        if (authorization != null) {
                            h.set(HttpHeaders.AUTHORIZATION, authorization);
                        }
                    })
                    .exchange((request, response) -> {
                        ResponseEntity.BodyBuilder answer = ResponseEntity.status(response.getStatusCode());
                        HttpHeaders headers = response.getHeaders();
                        // exports are text/vtt, application/x-subrip, text/plain; everything else is JSON
                        answer.contentType(
                                headers.getContentType() != null
                                        ? headers.getContentType()
                                        : MediaType.APPLICATION_JSON);
                        for (String passed : List.of(HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.WWW_AUTHENTICATE)) {
                            if (headers.getFirst(passed) != null) {
                                answer.header(passed, headers.getFirst(passed));
                            }
                        }
                        byte[] body = response.getBody().readAllBytes();
                        return body.length == 0 ? answer.build() : answer.body(body);
                    });
        } catch (RestClientException e) {
            return ApiError.response(
                    ApiError.OVERLOADED, "transcript history is unavailable right now: " + e.getMessage());
        }
    }

    /** URI template variables, without the absent ones (their query parameters are left out). */
    private static Map<String, String> variables(String... namesAndValues) {
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                variables.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return variables;
    }

    @PostMapping(path = "/api/auth/wechat/login")
    ResponseEntity<?> wechatLogin(@RequestBody(required = false) byte[] body) {
        try {
            return resultService
                    .post()
                    .uri("/api/auth/wechat/login")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(body == null ? new byte[0] : body)
                    .accept(MediaType.APPLICATION_JSON)
                    .exchange((request, response) -> ResponseEntity.status(response.getStatusCode())
                            .contentType(MediaType.APPLICATION_JSON)
                            .body(response.getBody().readAllBytes()));
        } catch (RestClientException e) {
            return ApiError.response(ApiError.OVERLOADED, "login is unavailable right now: " + e.getMessage());
        }
    }
}
