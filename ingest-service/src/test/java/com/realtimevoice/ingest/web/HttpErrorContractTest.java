package com.realtimevoice.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.ErrorBodySweep;
import com.realtimevoice.testsupport.ErrorBodySweep.Answer;
import com.realtimevoice.testsupport.ErrorBodySweep.Case;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * The ingest node's two HTTP servers as clients and probes meet them: actuator only on the management port, the old
 * service's /health on the public one, and every error on either port the contract's JSON (never Tomcat's HTML page
 * or Spring's error shape, no stack trace, no internal class name).
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "ingest.node-id=errors-test", "ASR_TOPIC_PARTITIONS=1"})
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class HttpErrorContractTest {

    static final String HOST = "localhost";
    static final String RECOGNIZE = "/api/realtime-voice/recognize";

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void actuatorIsServedOnTheManagementPortOnlyAndHealthStaysPublic() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path : List.of("/actuator/health/readiness", "/actuator/health/liveness", "/actuator/prometheus")) {
            assertThat(ErrorBodySweep.send(HOST, managementPort, ErrorBodySweep.get(path, HOST))
                            .status())
                    .as(path)
                    .isEqualTo(200);
        }
        Answer health = ErrorBodySweep.send(HOST, port, ErrorBodySweep.get("/health", HOST));
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"service\":\"ingest-service\"");
        for (String path : List.of(
                "/actuator",
                "/actuator/",
                "/actuator/prometheus",
                "/actuator/health",
                "/actuator;x/prometheus",
                "/%61ctuator/health",
                "/%61ctuator/prometheus",
                "//actuator/prometheus",
                "/api/../actuator/prometheus",
                "/ACTUATOR/prometheus",
                "/actuator/prometheus?x=1")) {
            Answer a = ErrorBodySweep.send(HOST, port, ErrorBodySweep.get(path, HOST));
            assertThat(a.status()).as("public " + path).isEqualTo(404);
            assertThat(ErrorBodySweep.contractProblem(a))
                    .as("public " + path + ": " + a.body())
                    .isNull();
            assertThat(a.body()).as(path).doesNotContain("jvm_");
        }
    }

    @Test
    void everyErrorOnEitherPortIsTheContractJson(CapturedOutput output) throws Exception {
        List<Case> publicCases = new ArrayList<>(ErrorBodySweep.common(HOST));
        publicCases.add(new Case("wrong method", ErrorBodySweep.post("/health", HOST, "application/json", "{}"), 405));
        publicCases.add(new Case(
                "malformed JSON",
                ErrorBodySweep.post("/api/auth/dev-token", HOST, "application/json", "{\"userId\":"),
                400));
        publicCases.add(new Case(
                "wrong content type",
                ErrorBodySweep.post("/api/auth/dev-token", HOST, "text/plain", "userId=a"),
                0)); // 400 by design (ApiNotFoundAdvice)
        publicCases.add(new Case(
                "upload that is not multipart", ErrorBodySweep.post(RECOGNIZE, HOST, "text/plain", "hello"), 0));
        publicCases.add(new Case(
                "bad multipart",
                ErrorBodySweep.post(
                        RECOGNIZE,
                        HOST,
                        "multipart/form-data; boundary=xyz",
                        "--xyz\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\nRIFF"),
                400));
        publicCases.add(new Case(
                "multipart without a boundary", ErrorBodySweep.post(RECOGNIZE, HOST, "multipart/form-data", "x"), 400));
        String big = "a".repeat(21 * 1024 * 1024);
        publicCases.add(new Case(
                "upload over the limit",
                ErrorBodySweep.post(
                        RECOGNIZE,
                        HOST,
                        "multipart/form-data; boundary=xyz",
                        "--xyz\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\n" + big
                                + "\r\n--xyz--\r\n"),
                413));
        assertThat(ErrorBodySweep.problems(HOST, port, publicCases)).isEmpty();

        assertThat(ErrorBodySweep.problems(HOST, managementPort, ErrorBodySweep.management(HOST)))
                .isEmpty();
        assertThat(output.getAll()).as("no stack trace logged").doesNotContain("\tat ");
    }
}
