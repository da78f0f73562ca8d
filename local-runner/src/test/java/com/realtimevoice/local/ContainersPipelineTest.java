package com.realtimevoice.local;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The same end-to-end scenarios against a Kafka and a MySQL 8 from Testcontainers, for machines with a
 * Docker engine. Skipped (not failed) where there is none; {@link EmbeddedPipelineTest} always runs them.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainersPipelineTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final MySQLContainer MYSQL = new MySQLContainer("mysql:8.4");

    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void startCluster() {
        cluster = new LocalCluster(LocalCluster.Settings.defaults().withRandomPorts()
                .withKafka(KAFKA.getBootstrapServers())
                .withDatabase(Map.of("spring.datasource.url", MYSQL.getJdbcUrl(), "spring.datasource.username", MYSQL.getUsername(),
                        "spring.datasource.password", MYSQL.getPassword()))).start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
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
}
