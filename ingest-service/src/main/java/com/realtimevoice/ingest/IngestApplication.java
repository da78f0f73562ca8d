package com.realtimevoice.ingest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class IngestApplication {

    /** Own config file name: all three services share one JVM in the embedded default. */
    public static final String CONFIG_NAME = "ingest-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IngestApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
