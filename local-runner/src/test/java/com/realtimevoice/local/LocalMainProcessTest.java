package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default as a user runs it: LocalMain in its own JVM, on the local jar's classpath (runtime scope,
 * written by the build to target/runtime-classpath.txt), configured by environment variables only.
 */
class LocalMainProcessTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Pattern PORTS =
            Pattern.compile("ports: PORT=(\\d+) ASR_WORKER_PORT=(\\d+) RESULT_SERVICE_PORT=(\\d+)");

    /** A taken port ends the process within seconds, non-zero, naming the variable and the port (it used to hang). */
    @ParameterizedTest
    @ValueSource(strings = {"PORT", "ASR_WORKER_PORT", "RESULT_SERVICE_PORT"})
    void aTakenPortEndsTheProcessNamingItsVariable(String variable) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Map<String, String> env =
                    new java.util.HashMap<>(Map.of("PORT", "0", "ASR_WORKER_PORT", "0", "RESULT_SERVICE_PORT", "0"));
            env.put(variable, Integer.toString(port));
            Path out = Files.createTempFile("local-main", ".log");
            Process p = start(env, out);
            try {
                assertThat(p.waitFor(30, TimeUnit.SECONDS))
                        .as("exited within seconds: %s", Files.readString(out))
                        .isTrue();
                assertThat(p.exitValue()).isNotZero();
                assertThat(Files.readString(out))
                        .contains(variable + "=" + port)
                        .contains("already in use");
            } finally {
                p.destroyForcibly();
                Files.deleteIfExists(out);
            }
        }
    }

    /**
     * DB_HOST=... java -jar realtime-voice-local.jar stores in MySQL/MariaDB: the jar carries the driver. As shipped,
     * it warms up first (LOCAL_WARMUP_SECONDS): /health says OUT_OF_SERVICE meanwhile, and the warm-up's sessions
     * leave no row in the user's database.
     */
    @Test
    void storesInMariaDbWhenDbHostIsSet() throws Exception {
        assumeTrue(DATABASE.isMariaDb(), "needs MariaDB/MySQL at 127.0.0.1:3306 (fails instead under CI=true)");
        Map<String, String> db = DATABASE.springProperties();
        int fixedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            fixedPort = free.getLocalPort(); // known before the start, to watch /health during the warm-up
        }
        Map<String, String> env = new java.util.HashMap<>(
                Map.of("PORT", Integer.toString(fixedPort), "ASR_WORKER_PORT", "0", "RESULT_SERVICE_PORT", "0"));
        for (String k : List.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD")) {
            env.put(k, db.get(k));
        }
        Path out = Files.createTempFile("local-main", ".log");
        Process p = start(env, out);
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://localhost:" + fixedPort;
            List<Integer> healthAnswers = healthUntilUp(http, base, p, out, Duration.ofSeconds(300));
            assertThat(healthAnswers)
                    .as("/health while warming up, then ready")
                    .contains(503)
                    .endsWith(200);
            int port = awaitIngestPort(p, out, Duration.ofSeconds(30));
            assertThat(port).isEqualTo(fixedPort);
            assertThat(Files.readString(out))
                    .containsPattern("warm-up: [1-9]\\d* sessions, [1-9]\\d* finals, 0 failed");
            assertThat(DATABASE.queryForInt("select count(*) from transcript_session where user_id = ?", WarmUp.USER))
                    .as("the warm-up's sessions are deleted from the user's database")
                    .isZero();
            HttpResponse<String> t = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/auth/dev-token"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"jar\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String token = StreamingClient.JSON.readTree(t.body()).get("token").asString();
            JsonNode body = Uploads.transcript(
                    http,
                    Uploads.recognize(
                                    base,
                                    token,
                                    "weather.wav",
                                    "audio/wav",
                                    Files.readAllBytes(SpeechFixtures.wav("weather.wav")))
                            .timeout(Duration.ofSeconds(90))
                            .build());
            assertThat(WordErrorRate.of(
                            SpeechFixtures.reference("weather.wav"),
                            body.get("text").asString()))
                    .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
            assertThat(DATABASE.queryForInt(
                            "select count(*) from transcript_segment where session_id = ?",
                            body.get("sessionId").asString()))
                    .as("rows in MariaDB database %s", db.get("DB_NAME"))
                    .isEqualTo(body.get("segments").size());
        } finally {
            Processes.stop(p, Duration.ofSeconds(30));
            Files.deleteIfExists(out);
        }
    }

    /** The distinct /health status codes, in order, until it answers 200 (connection refused is not an answer). */
    private static List<Integer> healthUntilUp(HttpClient http, String base, Process p, Path out, Duration timeout)
            throws Exception {
        List<Integer> answers = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive())
                    .as("LocalMain ended early: %s", Files.readString(out))
                    .isTrue();
            try {
                int status = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/health"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (answers.isEmpty() || answers.get(answers.size() - 1) != status) {
                    answers.add(status);
                }
                if (status == 200) {
                    return answers;
                }
            } catch (java.io.IOException notListening) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("/health never answered 200 in " + timeout + ": " + answers);
    }

    private static int awaitIngestPort(Process p, Path out, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = PORTS.matcher(Files.readString(out));
            if (m.find()) {
                assertThat(m.group(1)).as("0 = any free port, printed at start").isNotEqualTo("0");
                return Integer.parseInt(m.group(1));
            }
            assertThat(p.isAlive())
                    .as("LocalMain ended early: %s", Files.readString(out))
                    .isTrue();
            Thread.sleep(500);
        }
        throw new AssertionError("LocalMain printed no ports in " + timeout + ": " + Files.readString(out));
    }

    /** LocalMain on the local jar's classpath, with only the given service variables set. */
    static Process start(Map<String, String> env, Path out) throws IOException {
        String classpath = "target/classes" + File.pathSeparator
                + Files.readString(Path.of("target/runtime-classpath.txt")).trim();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                classpath,
                LocalMain.class.getName()));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        for (String k : List.of(
                "PORT",
                "ASR_WORKER_PORT",
                "RESULT_SERVICE_PORT",
                "KAFKA_BOOTSTRAP_SERVERS",
                "DB_HOST",
                "DB_PORT",
                "DB_NAME",
                "DB_USER",
                "DB_PASSWORD")) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        return pb.start();
    }
}
