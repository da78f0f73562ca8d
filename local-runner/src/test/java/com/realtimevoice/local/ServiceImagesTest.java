package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.TokenSettings;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;

/**
 * The service images as shipped (deploy/Dockerfile), built and run for real: every image is built on the local
 * Debian base images (deploy/base-image/build-local-base.sh, made here if missing), started with host networking
 * against a KRaft broker in this JVM and the MariaDB on the host, and a WAV streamed through the ingest container
 * must end as a stored transcript.
 *
 * The same images then run as docker-compose.yml's services, to show the stack keeps its data across down/up.
 *
 * Slow (the base images from Debian packages, then one Maven build inside a container, shared by the three images
 * through the Dockerfile's common build stage): enabled with -Drv.images=true (the second stage of .ci/run, after
 * the suite), and skipped cleanly
 * without a Docker engine. Every docker build and run holds flock /tmp/docker.lock.
 */
@EnabledIfSystemProperty(named = "rv.images", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceImagesTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Path ROOT = DeploymentModel.root();
    private static final String TAG = "image-test";
    /** Docker 20.10's CLI builds with BuildKit by itself; newer CLIs need the buildx plugin for RUN --mount. */
    private static final String DOCKER = new File("/usr/bin/docker").canExecute() ? "/usr/bin/docker" : "docker";

    private final List<String> containers = new ArrayList<>();
    private EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    void buildImages() throws Exception {
        assumeTrue(run(Duration.ofSeconds(30), false, DOCKER, "info").exitCode() == 0, "no Docker engine");
        Result base = run(
                Duration.ofMinutes(30),
                false,
                "bash",
                ROOT.resolve("deploy/base-image/build-local-base.sh").toString());
        assertThat(base.exitCode()).as(base.output()).isZero();
        for (String module : DeploymentModel.SERVICES) {
            long t0 = System.nanoTime();
            Result r = run(
                    Duration.ofMinutes(40),
                    true,
                    DOCKER,
                    "build",
                    "--network",
                    "host",
                    "-f",
                    "deploy/Dockerfile",
                    "--build-arg",
                    "BUILD_IMAGE=realtime-voice/base:17-jdk",
                    "--build-arg",
                    "BASE_IMAGE=realtime-voice/base:17-jre",
                    "--build-arg",
                    "SERVICE=" + module,
                    "--build-arg",
                    "SERVICE_PORT=" + DeploymentModel.port(module).defaultValue(),
                    "-t",
                    "realtime-voice/" + module + ":" + TAG,
                    ".");
            assertThat(r.exitCode()).as(module + ": " + tail(r.output())).isZero();
            System.out.printf(
                    "image realtime-voice/%s:%s built in %d s%n",
                    module, TAG, (System.nanoTime() - t0) / 1_000_000_000);
        }
        broker = new EmbeddedKafkaKraftBroker(1, 12);
        broker.afterPropertiesSet();
    }

    @AfterAll
    void stop() throws Exception {
        for (String id : containers) {
            run(Duration.ofMinutes(2), true, DOCKER, "rm", "-f", id);
        }
        if (broker != null) {
            broker.destroy();
        }
    }

    @Test
    void aStreamThroughTheIngestContainerIsStored() throws Exception {
        assumeTrue(DATABASE.isMariaDb(), "needs MariaDB/MySQL at 127.0.0.1:3306 (fails instead under CI=true)");
        Map<String, String> db = DATABASE.springProperties();
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        String secret = Base64.getEncoder().encodeToString(key);
        int resultPort = freePort();
        int workerPort = freePort();
        int ingestPort = freePort();
        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS",
                broker.getBrokersAsString(),
                "KAFKA_REPLICATION_FACTOR",
                "1",
                "ASR_TOPIC_PARTITIONS",
                "12");
        Map<String, String> result = new LinkedHashMap<>(common);
        result.putAll(Map.of(
                "RESULT_SERVICE_PORT",
                String.valueOf(resultPort),
                "AUTH_JWT_SECRET",
                secret,
                "DB_HOST",
                db.get("DB_HOST"),
                "DB_PORT",
                db.get("DB_PORT"),
                "DB_NAME",
                db.get("DB_NAME"),
                "DB_USER",
                db.get("DB_USER"),
                "DB_PASSWORD",
                db.get("DB_PASSWORD")));
        Map<String, String> worker = new LinkedHashMap<>(common);
        worker.put("ASR_WORKER_PORT", String.valueOf(workerPort));
        Map<String, String> ingest = new LinkedHashMap<>(common);
        ingest.putAll(Map.of(
                "PORT",
                String.valueOf(ingestPort),
                "AUTH_JWT_SECRET",
                secret,
                "INGEST_NODE_ID",
                "ingest-image-test",
                "RESULT_SERVICE_URL",
                "http://127.0.0.1:" + resultPort));
        start("result-service", result);
        start("asr-worker", worker);
        start("ingest-service", ingest);
        for (String id : containers) {
            awaitHealthy(id, Duration.ofMinutes(6));
        }

        String token = new TokenService(
                        new TokenSettings(secret, "realtime-voice", "realtime-voice-clients", Duration.ZERO))
                .issue("image-test-user", Duration.ofMinutes(10));
        String sessionId;
        JsonNode completed;
        try (StreamingClient client =
                StreamingClient.connect("ws://127.0.0.1:" + ingestPort + "/api/realtime-voice/stream?token=" + token)) {
            client.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000}");
            sessionId = client.await("started", Duration.ofSeconds(30))
                    .get("sessionId")
                    .asString();
            client.streamPcm(SpeechFixtures.pcm("sentences.wav"), 3.0);
            client.send("{\"type\":\"end\"}");
            completed = client.await("completed", Duration.ofSeconds(120));
        }
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("sentences.wav"),
                        completed.get("text").asString()))
                .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
        assertThat(DATABASE.queryForInt("select count(*) from transcript_segment where session_id = ?", sessionId))
                .as("stored finals")
                .isEqualTo(completed.get("segments").asInt())
                .isPositive();
    }

    /**
     * Compose keeps its data (issue 20): deploy/compose/survival-check.sh on the images built above (TAG, no rebuild)
     * and the local Kafka/MariaDB stand-ins streams a WAV through the compose stack, runs {@code docker compose down}
     * (no -v) and {@code up}, and exits 0 only when the stored transcript and the committed offsets are the same after.
     */
    @Test
    void composeKeepsTheTranscriptAndTheCommittedOffsetsAcrossDownAndUp() throws Exception {
        Result version = run(Duration.ofSeconds(30), false, "docker", "compose", "version");
        assumeTrue(
                version.exitCode() == 0 && version.output().matches("(?s).*\\bv?2\\.\\d+.*"), "no Compose v2 plugin");
        Result r = run(
                Duration.ofMinutes(30),
                false,
                Map.of("TAG", TAG, "SKIP_BUILD", "1"),
                "bash",
                ROOT.resolve("deploy/compose/survival-check.sh").toString());
        System.out.println(r.output());
        assertThat(r.exitCode()).as(tail(r.output())).isZero();
        assertThat(r.output())
                .contains("survived down/up")
                .contains("before down: committed offsets")
                .contains("after up: committed offsets");
    }

    private void start(String module, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(DOCKER, "run", "-d", "--network", "host"));
        env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
        command.add("realtime-voice/" + module + ":" + TAG);
        Result r = run(Duration.ofMinutes(2), true, command.toArray(String[]::new));
        assertThat(r.exitCode()).as(module + ": " + r.output()).isZero();
        String[] lines = r.output().trim().split("\n");
        containers.add(lines[lines.length - 1].trim());
    }

    private void awaitHealthy(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = run(
                            Duration.ofSeconds(30),
                            false,
                            DOCKER,
                            "inspect",
                            "--format",
                            "{{.State.Status}} {{.State.Health.Status}}",
                            id)
                    .output()
                    .trim();
            if (status.endsWith("healthy") && !status.endsWith("unhealthy")) {
                return;
            }
            assertThat(status)
                    .as(
                            "container %s: %s",
                            id,
                            run(Duration.ofSeconds(30), false, DOCKER, "logs", "--tail", "50", id)
                                    .output())
                    .startsWith("running");
            Thread.sleep(3000);
        }
        throw new AssertionError("container " + id + " not healthy after " + timeout + " (" + status + "): "
                + run(Duration.ofSeconds(30), false, DOCKER, "logs", "--tail", "80", id)
                        .output());
    }

    record Result(int exitCode, String output) {}

    /** Runs a command from the repository root; with {@code locked}, under flock /tmp/docker.lock. */
    private static Result run(Duration timeout, boolean locked, String... command) throws Exception {
        return run(timeout, locked, Map.of(), command);
    }

    private static Result run(Duration timeout, boolean locked, Map<String, String> env, String... command)
            throws Exception {
        List<String> full = new ArrayList<>();
        if (locked) {
            full.addAll(List.of("flock", "/tmp/docker.lock"));
        }
        full.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(full).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("DOCKER_BUILDKIT", "1");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("docker", ".log");
        pb.redirectOutput(out.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            return new Result(127, e.getMessage());
        }
        boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        return new Result(done ? p.exitValue() : 124, output);
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
