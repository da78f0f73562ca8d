package com.realtimevoice.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same end-to-end scenarios against a Kafka and a MySQL 8 from Testcontainers, for machines with a Docker engine
 * and a registry (or the images already pulled); {@link EmbeddedPipelineTest} always runs them. Skipped (disabled,
 * naming the reason), never failed, where no engine answers or an image can be neither found nor pulled: an engine
 * alone (as .ci/run starts for the image tests, with no registry reachable) is not enough.
 */
@ExtendWith(ContainersPipelineTest.ImagesAvailable.class)
class ContainersPipelineTest extends ClusterTest {

    private static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.1");
    private static final DockerImageName MYSQL_IMAGE = DockerImageName.parse("mysql:8.4");

    private KafkaContainer kafka;
    private MySQLContainer mysql;

    @BeforeAll
    void startCluster() {
        kafka = new KafkaContainer(KAFKA_IMAGE);
        kafka.start();
        mysql = new MySQLContainer(MYSQL_IMAGE);
        mysql.start();
        start(LocalCluster.Settings.defaults()
                .withRandomPorts()
                .withKafka(kafka.getBootstrapServers())
                .withDatabase(Map.of(
                        "spring.datasource.url",
                        mysql.getJdbcUrl(),
                        "spring.datasource.username",
                        mysql.getUsername(),
                        "spring.datasource.password",
                        mysql.getPassword())));
    }

    @Override
    @AfterAll
    void stopCluster() {
        super.stopCluster();
        if (mysql != null) {
            mysql.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void streamsSpeechAndStoresTheTranscript() throws Exception {
        scenarios.streamsSpeechAndStoresTheTranscript();
    }

    @Test
    void recognizesAnUploadedWav() throws Exception {
        scenarios.recognizesAnUploadedWav();
    }

    /**
     * Enables the class only where Testcontainers has an engine (its client fails when none answers, or when its own
     * helper, Ryuk, cannot be pulled) and both images are on it or can be pulled now. A condition rather than an
     * assumption in {@code @BeforeAll}: the reason then shows in the test report as a skip.
     */
    static final class ImagesAvailable implements ExecutionCondition {

        private static ConditionEvaluationResult result;

        @Override
        public synchronized ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (result == null) {
                try {
                    result = evaluate();
                } catch (RuntimeException e) {
                    // e.g. an engine started without the default bridge network (.ci/run's): Testcontainers cannot use
                    // it
                    result = ConditionEvaluationResult.disabled("Testcontainers cannot use the Docker engine: " + e);
                }
            }
            return result;
        }

        private static ConditionEvaluationResult evaluate() {
            // Where the docker CLI reaches an engine, it checks the images first: with no registry its pull fails at
            // once, whereas Testcontainers' client retries pulling its Ryuk image for minutes before giving up.
            if (cli(Duration.ofSeconds(30), "docker", "info").exitCode() == 0) {
                for (DockerImageName image : new DockerImageName[] {KAFKA_IMAGE, MYSQL_IMAGE}) {
                    String name = image.asCanonicalNameString();
                    if (cli(Duration.ofSeconds(30), "docker", "image", "inspect", name)
                                    .exitCode()
                            != 0) {
                        Cli pull = cli(Duration.ofMinutes(10), "docker", "pull", name);
                        if (pull.exitCode() != 0) {
                            return ConditionEvaluationResult.disabled(image
                                    + " is not on the Docker engine and cannot be pulled (no registry reachable?): "
                                    + pull.output().strip());
                        }
                    }
                }
            }
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return ConditionEvaluationResult.disabled(
                        "no Docker engine usable by Testcontainers (none answers, or its Ryuk image cannot be pulled)");
            }
            DockerClient docker = DockerClientFactory.instance().client();
            for (DockerImageName image : new DockerImageName[] {KAFKA_IMAGE, MYSQL_IMAGE}) {
                String missing = missing(docker, image);
                if (missing != null) {
                    return ConditionEvaluationResult.disabled(missing);
                }
            }
            return ConditionEvaluationResult.enabled("a Docker engine with " + KAFKA_IMAGE + " and " + MYSQL_IMAGE);
        }

        record Cli(int exitCode, String output) {}

        /** Exit code 127 when the command cannot start (no docker CLI), 124 when it outlasts {@code timeout}. */
        private static Cli cli(Duration timeout, String... command) {
            try {
                Process p =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
                    try {
                        return p.getInputStream().readAllBytes();
                    } catch (IOException e) {
                        return new byte[0];
                    }
                });
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return new Cli(124, "timed out after " + timeout);
                }
                return new Cli(p.exitValue(), new String(output.join(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Cli(127, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Cli(130, "interrupted");
            }
        }

        /** Null when the image is on the engine or was pulled now; else why not (no registry reachable, typically). */
        private static String missing(DockerClient docker, DockerImageName image) {
            try {
                docker.inspectImageCmd(image.asCanonicalNameString()).exec();
                return null;
            } catch (NotFoundException absent) {
                // pulled below
            }
            try {
                boolean done = docker.pullImageCmd(image.asCanonicalNameString())
                        .exec(new PullImageResultCallback())
                        .awaitCompletion(10, TimeUnit.MINUTES);
                return done ? null : "pulling " + image + " took over 10 minutes";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while pulling " + image;
            } catch (RuntimeException e) {
                return image + " is not on the Docker engine and cannot be pulled (no registry reachable?): "
                        + e.getMessage();
            }
        }
    }
}
