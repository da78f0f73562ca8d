package com.realtimevoice.ingest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class IngestApplication {

    static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    static {
        smallWebSocketBuffers();
    }

    /**
     * Tomcat's WebSocket frame buffers (read, write and encoder; 8 KB each by default, for every open socket) are
     * sized by a system property read once, when the first Tomcat in the JVM loads its WebSocket classes. 1 KB keeps
     * an idle socket small; larger messages just take more reads and writes. -D on the command line (or
     * INGEST_WS_IO_BUFFER_BYTES) wins. A JVM that starts another Tomcat first (the embedded default) calls this
     * before it starts anything. Read from the environment, not from IngestProperties: it must be set before any
     * Spring context (and so any property binding) exists.
     */
    public static void smallWebSocketBuffers() {
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            String fromEnv = System.getenv("INGEST_WS_IO_BUFFER_BYTES");
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, fromEnv == null || fromEnv.isBlank() ? "1024" : fromEnv);
        }
    }

    /** Own config file name: all three services share one JVM in the embedded default. */
    public static final String CONFIG_NAME = "ingest-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IngestApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
