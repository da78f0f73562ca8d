package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.clients.SharedCluster;
import com.realtimevoice.testsupport.StreamingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Defect 3 of issue 19: in the embedded default (all services in one JVM, one Logback set up by the first service
 * to start) a JWT sent as {@code ?token=} reached the log in clear, because only the ingest service's own logging
 * pattern masked it. With request logging on (what an operator turns on to see requests:
 * LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_WEB_SERVLET_DISPATCHERSERVLET=DEBUG) every request line carries the query
 * string: it must show {@code <redacted-jwt>}, never the token.
 */
@ExtendWith({SharedCluster.class, OutputCaptureExtension.class})
class TokenLogMaskingTest {

    private static final List<String> REQUEST_LOGGERS =
            List.of("org.springframework.web.servlet.DispatcherServlet", "org.springframework.web.socket");

    @Test
    void aTokenInTheQueryStringNeverReachesTheEmbeddedDefaultsLog(SharedCluster.Ref product, CapturedOutput output)
            throws Exception {
        LocalCluster cluster = product.get();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + cluster.ingestPort(0);
        HttpResponse<String> issued = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/auth/dev-token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"log-masking\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String token = StreamingClient.JSON.readTree(issued.body()).get("token").asString();
        String[] parts = token.split("\\.");

        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        REQUEST_LOGGERS.forEach(l -> logging.setLogLevel(l, LogLevel.DEBUG));
        try {
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + UUID.randomUUID() + "?token=" + token))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/realtime-voice/stream?token=" + token))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            WebSocket socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(
                            URI.create("ws://localhost:" + cluster.ingestPort(0) + "/api/realtime-voice/stream?token="
                                    + token),
                            new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            // a framework logging the request URI on an error, as Spring's WebSocket support does
            org.slf4j.LoggerFactory.getLogger(
                            "org.springframework.web.socket.handler.ExceptionWebSocketHandlerDecorator")
                    .error(
                            "Closing session due to exception for StandardWebSocketSession[uri=ws://h/api/realtime-voice/stream?token="
                                    + token + "]",
                            new IllegalStateException("at ?token=" + token));
            Thread.sleep(500); // the request lines of the last exchange
        } finally {
            REQUEST_LOGGERS.forEach(l -> logging.setLogLevel(l, null));
        }
        assertThat(output.getAll())
                .as("the requests were logged, masked")
                .contains("token=<redacted-jwt>")
                .doesNotContain(token)
                .doesNotContain(parts[1])
                .doesNotContain(parts[2]);
    }
}
