package com.realtimevoice.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.ErrorBodySweep;
import com.realtimevoice.testsupport.ErrorBodySweep.Answer;
import com.realtimevoice.testsupport.ErrorBodySweep.Case;
import com.realtimevoice.testsupport.FakeWeChat;
import com.realtimevoice.testsupport.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * result-service's two HTTP servers as clients and probes meet them: actuator only on the management port, and every
 * error on either port the contract's JSON. The WeChat login takes any body (random and boundary values) without a
 * 5xx or a stack trace in the log.
 */
@ExtendWith(OutputCaptureExtension.class)
@LocalWithoutKafka
@SpringBootTest(
        classes = ResultServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"WECHAT_APP_ID=" + FakeWeChat.APP_ID, "WECHAT_APP_SECRET=" + FakeWeChat.SECRET})
@DirtiesContext
class HttpErrorContractTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @RegisterExtension
    static final FakeWeChat WECHAT = FakeWeChat.start();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    static final String HOST = "localhost";
    static final String LOGIN = "/api/auth/wechat/login";

    @Test
    void actuatorIsServedOnTheManagementPortOnly() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path : List.of("/actuator/health/readiness", "/actuator/health/liveness")) {
            Answer a = ErrorBodySweep.send(HOST, managementPort, ErrorBodySweep.get(path, HOST));
            assertThat(a.status()).as(path).isEqualTo(200);
            assertThat(a.body()).contains("UP");
        }
        Answer metrics = ErrorBodySweep.send(HOST, managementPort, ErrorBodySweep.get("/actuator/prometheus", HOST));
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        for (String path : List.of(
                "/actuator",
                "/actuator/prometheus",
                "/actuator/health",
                "/actuator;x/prometheus",
                "/%61ctuator/health",
                "//actuator/prometheus")) {
            Answer a = ErrorBodySweep.send(HOST, port, ErrorBodySweep.get(path, HOST));
            assertThat(a.status()).as("public " + path).isEqualTo(404);
            assertThat(ErrorBodySweep.contractProblem(a))
                    .as("public " + path + ": " + a.body())
                    .isNull();
        }
    }

    @Test
    void everyErrorOnEitherPortIsTheContractJson(CapturedOutput output) throws Exception {
        List<Case> publicCases = new ArrayList<>(ErrorBodySweep.common(HOST));
        publicCases.add(
                new Case("wrong method", "DELETE " + LOGIN + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 405));
        publicCases.add(
                new Case("wrong content type", ErrorBodySweep.post(LOGIN, HOST, "text/plain", "code=abc"), 415));
        publicCases.add(
                new Case("malformed JSON", ErrorBodySweep.post(LOGIN, HOST, "application/json", "{\"code\":"), 400));
        publicCases.add(new Case("bad session id", ErrorBodySweep.get("/api/sessions/%20", HOST), 0));
        publicCases.add(new Case("no token", ErrorBodySweep.get("/api/sessions/x", HOST), 401));
        assertThat(ErrorBodySweep.problems(HOST, port, publicCases)).isEmpty();

        assertThat(ErrorBodySweep.problems(HOST, managementPort, ErrorBodySweep.management(HOST)))
                .isEmpty();
        assertThat(output.getAll()).as("no stack trace logged").doesNotContain("\tat ");
    }

    /**
     * Random and boundary login bodies: whatever arrives, the answer is a 4xx with the contract's body or a token,
     * never a 5xx; nothing is logged with a stack trace. (Well-formed codes reach the fake WeChat, which refuses them.)
     */
    @Test
    void anyLoginBodyGetsAClearAnswer(CapturedOutput output) throws Exception {
        Random random = new Random(19);
        List<String> bodies = new ArrayList<>(List.of(
                "",
                " ",
                "{",
                "}",
                "[]",
                "[1]",
                "null",
                "true",
                "1",
                "\"code\"",
                "{}",
                "{\"code\":null}",
                "{\"code\":\"\"}",
                "{\"code\":1}",
                "{\"code\":1e309}",
                "{\"code\":-0}",
                "{\"code\":99999999999999999999999999}",
                "{\"code\":true}",
                "{\"code\":[]}",
                "{\"code\":[\"a\"]}",
                "{\"code\":{}}",
                "{\"code\":{\"code\":\"a\"}}",
                "{\"code\":\"" + "a".repeat(128) + "\"}",
                "{\"code\":\"" + "a".repeat(129) + "\"}",
                "{\"code\":\"" + "a".repeat(100_000) + "\"}",
                "{\"code\":\"a\",\"code\":\"b\"}",
                "{\"code\":\"\\u0000\"}",
                "{\"code\":\"\\ud800\"}",
                "{\"code\":\"码\"}",
                "{\"code\":\"a b\"}",
                "{\"code\":\"a&secret=x\"}",
                "{\"code\":\"../../x\"}",
                "{\"code\":\"abc\",\"extra\":[1,{}]}",
                "{\"code\":\"abc\"",
                "{\"code\":\"abc\"}}",
                "{\"code\":\"abc\"} trailing",
                "\u00ef\u00bb\u00bf{\"code\":\"abc\"}",
                "[".repeat(5000) + "]".repeat(5000),
                "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)));
        String alphabet = "{}[]\":,\\ 0123456789.eE+-truefalsnl codeabc\u00e9\u7801\u0000\n";
        for (int i = 0; i < 150; i++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "{\"code\":" : "");
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            bodies.add(b.toString());
        }
        List<String> problems = new ArrayList<>();
        for (String body : bodies) {
            for (String type : List.of("application/json", "application/json; charset=UTF-8")) {
                Answer a = ErrorBodySweep.send(HOST, port, ErrorBodySweep.post(LOGIN, HOST, type, body));
                if (a.status() == 200) {
                    continue;
                }
                String problem = a.status() >= 500 ? "5xx" : ErrorBodySweep.contractProblem(a);
                if (problem != null) {
                    problems.add(
                            problem + " for " + abbreviate(body) + " -> " + a.status() + " " + abbreviate(a.body()));
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(output.getAll())
                .as("no stack trace logged")
                .doesNotContain("\tat ")
                .doesNotContain("Exception:");
    }

    private static String abbreviate(String s) {
        String printable = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
