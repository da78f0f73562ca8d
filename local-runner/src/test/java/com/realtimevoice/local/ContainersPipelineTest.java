package com.realtimevoice.local;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainersPipelineTest {

    private static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.1");
    private static final DockerImageName MYSQL_IMAGE = DockerImageName.parse("mysql:8.4");

    private KafkaContainer kafka;
    private MySQLContainer mysql;
    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void startCluster() {
        kafka = new KafkaContainer(KAFKA_IMAGE);
        kafka.start();
        mysql = new MySQLContainer(MYSQL_IMAGE);
        mysql.start();
        cluster = new LocalCluster(LocalCluster.Settings.defaults().withRandomPorts()
                .withKafka(kafka.getBootstrapServers())
                .withDatabase(Map.of("spring.datasource.url", mysql.getJdbcUrl(), "spring.datasource.username", mysql.getUsername(),
                        "spring.datasource.password", mysql.getPassword()))).start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
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
                result = evaluate();
            }
            return result;
        }

        private static ConditionEvaluationResult evaluate() {
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

        /** Null when the image is on the engine or was pulled now; else why not (no registry reachable, typically). */
        private static String missing(DockerClient docker, DockerImageName image) {
            try {
                docker.inspectImageCmd(image.asCanonicalNameString()).exec();
                return null;
            } catch (NotFoundException absent) {
                // pulled below
            }
            try {
                boolean done = docker.pullImageCmd(image.asCanonicalNameString()).exec(new PullImageResultCallback())
                        .awaitCompletion(10, TimeUnit.MINUTES);
                return done ? null : "pulling " + image + " took over 10 minutes";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while pulling " + image;
            } catch (RuntimeException e) {
                return image + " is not on the Docker engine and cannot be pulled (no registry reachable?): " + e.getMessage();
            }
        }
    }
}
