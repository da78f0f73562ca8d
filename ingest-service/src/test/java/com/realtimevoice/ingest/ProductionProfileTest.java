package com.realtimevoice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;

/** Outside the local profile: no dev tokens, no tokens in logs, and no start at all without a JWT secret. */
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "AUTH_JWT_SECRET=production-secret-production-secret-0123",
            "ASR_TOPIC_PARTITIONS=1"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class ProductionProfileTest {

    @LocalServerPort
    int port;

    @Test
    void devTokenEndpointDoesNotExist() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/auth/dev-token"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"x\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"code\":\"NOT_FOUND\"");
    }

    @Test
    void tokensNeverReachTheLog(org.springframework.boot.test.system.CapturedOutput output) {
        String token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        org.slf4j.LoggerFactory.getLogger("org.springframework.web.socket.handler.ExceptionWebSocketHandlerDecorator")
                .error(
                        "Closing session due to exception for StandardWebSocketSession[uri=ws://h/api/realtime-voice/stream?token="
                                + token + "]",
                        new IllegalStateException("at ?token=" + token));
        assertThat(output.getAll())
                .contains("?token=<redacted-jwt>")
                .doesNotContain(token)
                .doesNotContain("eyJzdWIiOiJhbGljZSJ9");
    }

    @Test
    void refusesToStartWithoutASecret() {
        assertThatThrownBy(() -> IngestApplication.builder()
                        .run(
                                "--server.port=0",
                                "--spring.kafka.bootstrap-servers=localhost:1",
                                "--AUTH_JWT_SECRET=",
                                "--spring.kafka.admin.fail-fast=false")
                        .close())
                .hasStackTraceContaining("AUTH_JWT_SECRET");
    }

    /** The shipped manifests' placeholders are public: a long one used to pass the 32-byte check (issue 20). */
    @Test
    void refusesToStartWithAPlaceholderSecret() {
        assertThatThrownBy(() -> IngestApplication.builder()
                        .run(
                                "--server.port=0",
                                "--spring.kafka.bootstrap-servers=localhost:1",
                                "--AUTH_JWT_SECRET=replace-with-openssl-rand-base64-48-0123456789",
                                "--spring.kafka.admin.fail-fast=false")
                        .close())
                .hasStackTraceContaining("AUTH_JWT_SECRET is a placeholder");
    }
}
