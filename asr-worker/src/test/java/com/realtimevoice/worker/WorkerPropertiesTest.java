package com.realtimevoice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** The defaults in asr-worker.yml, their environment variables, and bad values failing the start. */
class WorkerPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withPropertyValues("spring.config.name=" + AsrWorkerApplication.CONFIG_NAME)
            .withUserConfiguration(Config.class);

    @Test
    void defaultsComeFromTheWorkerConfigFile() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            WorkerProperties p = context.getBean(WorkerProperties.class);
            assertThat(p.defaultEngine()).isEqualTo("vosk");
            assertThat(p.concurrency()).isEqualTo(2);
            assertThat(p.topics().partitions()).isEqualTo(12);
            assertThat(p.topics().replicationFactor()).isEqualTo(1);
            assertThat(p.vosk().hasModelPath()).isFalse();
            assertThat(p.vosk().cacheDir())
                    .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "realtime-voice", "models"));
            assertThat(context.getEnvironment().getProperty("server.port")).isEqualTo("8081");
            assertThat(context.getEnvironment().getProperty("spring.kafka.consumer.group-id"))
                    .isEqualTo("asr-worker");
        });
    }

    @Test
    void environmentVariablesOverrideTheDefaults() {
        runner.withPropertyValues(
                        "ASR_TOPIC_PARTITIONS=24",
                        "KAFKA_REPLICATION_FACTOR=3",
                        "ASR_WORKER_CONCURRENCY=4",
                        "ASR_VOSK_MODEL_PATH=/models/vosk-model-cn",
                        "ASR_VOSK_CACHE_DIR=/var/cache/rv")
                .run(context -> {
                    WorkerProperties p = context.getBean(WorkerProperties.class);
                    assertThat(p.topics().partitions()).isEqualTo(24);
                    assertThat(p.topics().replicationFactor()).isEqualTo(3);
                    assertThat(p.concurrency()).isEqualTo(4);
                    assertThat(p.vosk().modelPath()).isEqualTo("/models/vosk-model-cn");
                    assertThat(p.vosk().cacheDir()).isEqualTo(Path.of("/var/cache/rv"));
                });
    }

    @Test
    void outOfRangeValueFailsWithThePropertyName() {
        runner.withPropertyValues("ASR_TOPIC_PARTITIONS=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("asr.worker.topics.partitions")
                    .hasMessageContaining("rejected value [0]");
        });
    }

    @Test
    void unparsableValueFailsWithThePropertyName() {
        runner.withPropertyValues("ASR_WORKER_CONCURRENCY=two").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("asr.worker.concurrency")
                    .hasStackTraceContaining("two");
        });
    }

    @Test
    void badModelPathFailsTheApplicationStart() {
        // Command-line arguments: SpringApplicationBuilder.properties() are defaults, below asr-worker.yml.
        assertThatThrownBy(() -> {
                    try (ConfigurableApplicationContext unexpected = AsrWorkerApplication.builder()
                            .web(WebApplicationType.NONE)
                            .run(
                                    "--asr.worker.vosk.model-path=/nonexistent/vosk-model",
                                    "--spring.kafka.listener.auto-startup=false")) {
                        // started: the assertion below reports it
                    }
                })
                .hasStackTraceContaining(
                        "asr.worker.vosk.model-path (ASR_VOSK_MODEL_PATH): '/nonexistent/vosk-model' is not a directory");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(WorkerProperties.class)
    static class Config {}
}
