package com.realtimevoice.ingest.web;

import com.realtimevoice.ingest.config.IngestProperties;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

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

    @GetMapping("/api/sessions/{sessionId}")
    ResponseEntity<?> session(@PathVariable String sessionId,
                              @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        try {
            return resultService.get()
                    .uri("/api/sessions/{id}", sessionId)
                    .headers(h -> {
                        if (authorization != null) {
                            h.set(HttpHeaders.AUTHORIZATION, authorization);
                        }
                    })
                    .accept(MediaType.APPLICATION_JSON)
                    .exchange((request, response) -> ResponseEntity.status(response.getStatusCode())
                            .contentType(MediaType.APPLICATION_JSON)
                            .body(response.getBody().readAllBytes()));
        } catch (RestClientException e) {
            return ApiError.response(ApiError.OVERLOADED, "transcript history is unavailable right now: " + e.getMessage());
        }
    }

    @PostMapping(path = "/api/auth/wechat/login")
    ResponseEntity<?> wechatLogin(@RequestBody(required = false) byte[] body) {
        try {
            return resultService.post()
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
