package com.realtimevoice.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Consumes audio from Kafka, runs it through a speech engine and publishes partials and finals.
 *
 * <p>All three services can run in one JVM (the embedded local default), so each one reads its own
 * config file ({@code asr-worker.yml}) instead of {@code application.yml}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AsrWorkerApplication {

    public static final String CONFIG_NAME = "asr-worker";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AsrWorkerApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
