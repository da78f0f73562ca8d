package com.realtimevoice.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.auth.TokenService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The service's own configuration, read from result-service.yml exactly as at start-up. */
class ResultServiceConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @Import(ResultServiceConfiguration.class)
    static class OnlyConfiguration {}

    @Test
    void withoutTheLocalProfileAMissingSecretStopsTheStartNamingTheVariable() {
        assertThatThrownBy(() -> start(null, "--AUTH_JWT_SECRET=").close())
                .hasStackTraceContaining("AUTH_JWT_SECRET")
                .hasStackTraceContaining("result-service cannot start");
    }

    @Test
    void aSecretTooShortForHs256StopsTheStart() {
        assertThatThrownBy(() -> start(null, "--AUTH_JWT_SECRET=short").close())
                .hasStackTraceContaining("AUTH_JWT_SECRET")
                .hasStackTraceContaining("at least 32 bytes");
    }

    /** The shipped manifests' placeholders are public: a long one used to pass the 32-byte check (issue 20). */
    @Test
    void aPlaceholderSecretStopsTheStartWhateverItsLength() {
        assertThatThrownBy(() -> start(null, "--AUTH_JWT_SECRET=change-me-to-32-or-more-random-bytes-000000")
                        .close())
                .hasStackTraceContaining("AUTH_JWT_SECRET is a placeholder")
                .hasStackTraceContaining("result-service cannot start");
    }

    @Test
    void theLocalProfileBringsTheSharedDevelopmentSecretAndDefaults() throws Exception {
        try (ConfigurableApplicationContext context = start("local")) {
            ResultServiceProperties properties = context.getBean(ResultServiceProperties.class);
            assertThat(properties.jwt().secret()).isEqualTo("local-dev-secret-change-me-0123456789abcdef");
            assertThat(properties.jwt().issuer()).isEqualTo("realtime-voice");
            assertThat(properties.jwt().audience()).isEqualTo("realtime-voice-clients");
            assertThat(properties.topicPartitions()).isEqualTo(12);
            assertThat(properties.replicationFactor()).isEqualTo(1);
            assertThat(properties.batch().maxFinals()).isEqualTo(500);
            assertThat(properties.retry())
                    .isEqualTo(new ResultServiceProperties.Retry(Duration.ofMillis(500), 2.0, Duration.ofSeconds(10)));

            TokenService tokens = context.getBean(TokenService.class);
            assertThat(tokens.verify(tokens.issue("user-7", Duration.ofMinutes(1)))
                            .userId())
                    .isEqualTo("user-7");
        }
    }

    @Test
    void environmentVariablesOverrideTheDefaults() {
        try (ConfigurableApplicationContext context = start(
                null,
                "--AUTH_JWT_SECRET=0123456789abcdef0123456789abcdef-prod",
                "--ASR_TOPIC_PARTITIONS=24",
                "--KAFKA_REPLICATION_FACTOR=3",
                "--RESULT_BATCH_MAX_FINALS=50",
                "--RESULT_RETRY_INITIAL_INTERVAL=1s",
                "--RESULT_RETRY_MULTIPLIER=3",
                "--RESULT_RETRY_MAX_INTERVAL=30s")) {
            ResultServiceProperties properties = context.getBean(ResultServiceProperties.class);
            assertThat(properties.retry())
                    .isEqualTo(new ResultServiceProperties.Retry(Duration.ofSeconds(1), 3.0, Duration.ofSeconds(30)));
            assertThat(properties.batch().maxFinals()).isEqualTo(50);
            assertThat(properties.topicPartitions()).isEqualTo(24);
            assertThat(properties.replicationFactor()).isEqualTo(3);
            assertThat(properties.jwt().secret()).isEqualTo("0123456789abcdef0123456789abcdef-prod");
        }
    }

    @Test
    void aBatchOfNoFinalsStopsTheStart() {
        assertThatThrownBy(() -> start("local", "--RESULT_BATCH_MAX_FINALS=0").close())
                .hasStackTraceContaining("batch.maxFinals");
    }

    private static ConfigurableApplicationContext start(String profile, String... args) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(OnlyConfiguration.class)
                .properties("spring.config.name=" + ResultServiceApplication.CONFIG_NAME)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false);
        if (profile != null) {
            builder.profiles(profile);
        }
        return builder.run(args);
    }
}
