package com.realtimevoice.result;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Stores sessions and finals, then routes every result to the ingest node that holds the session's socket,
 * and serves transcript history to the owner.
 */
@SpringBootApplication
public class ResultServiceApplication {

    /** All three services can run in one JVM (the embedded default), so each reads its own config file. */
    public static final String CONFIG_NAME = "result-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ResultServiceApplication.class)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
