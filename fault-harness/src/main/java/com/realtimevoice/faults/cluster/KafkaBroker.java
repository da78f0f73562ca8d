package com.realtimevoice.faults.cluster;

import com.realtimevoice.faults.process.ChildProcess;
import com.realtimevoice.testsupport.SingleNodeKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) as its own JVM: {@code kafka.Kafka} with a
 * generated server.properties, its storage formatted once by {@code kafka.tools.StorageTool}. It can be killed
 * and started again on the same ports with the same data directory, as an operator would restart a broker.
 */
public final class KafkaBroker {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final ChildProcess process;
    private final String classpath;
    private final String marker;
    private final List<String> extraProperties;

    KafkaBroker(Path dir, String classpath, String marker) {
        this(dir, classpath, marker, List.of());
    }

    /** @param extraProperties more server.properties lines (GroupRecoveryProbe: the consumer protocol's group settings) */
    KafkaBroker(Path dir, String classpath, String marker, List<String> extraProperties) {
        this.extraProperties = List.copyOf(extraProperties);
        this.dir = dir;
        this.classpath = classpath;
        this.marker = marker;
        this.port = Ports.free();
        this.controllerPort = Ports.free();
        this.process = new ChildProcess(
                "kafka",
                javaCommand("kafka.Kafka", dir.resolve("server.properties").toString()),
                Map.of(),
                dir.resolve("kafka.log"),
                dir);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public ChildProcess process() {
        return process;
    }

    /** Writes the configuration, formats the storage (a new cluster id) and starts the broker. */
    void create() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(
                dir.resolve("server.properties"), String.join("\n", serverProperties()) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="kafka" level="INFO"/>
                  <logger name="org.apache.kafka" level="INFO"/>
                  <logger name="org.apache.kafka.raft" level="WARN"/>
                  <logger name="org.apache.kafka.image" level="WARN"/>
                  <logger name="org.apache.kafka.storage" level="WARN"/>
                  <logger name="kafka.log" level="WARN"/>
                  <logger name="state.change.logger" level="WARN"/>
                  <logger name="kafka.request.logger" level="WARN"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
        ChildProcess format = new ChildProcess(
                "kafka-storage-format",
                javaCommand(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        dir.resolve("server.properties").toString()),
                Map.of(),
                dir.resolve("kafka-format.log"),
                dir);
        int exit = format.start().awaitExit(Duration.ofSeconds(90));
        if (exit != 0) {
            throw new IllegalStateException(
                    "formatting the Kafka storage failed (exit " + exit + "); see " + format.log());
        }
        start();
    }

    /**
     * The broker's configuration. Group settings (group.*) are those docker-compose's broker has too
     * (ShippedSettingsTest): recovery depends on them.
     */
    List<String> serverProperties() {
        return Stream.of(
                        SingleNodeKafka.serverProperties(port, controllerPort, dir.resolve("data"), 6).stream(),
                        // the services create their topics; a delivery topic of a node that is gone must not come
                        // back by accident
                        Stream.of("auto.create.topics.enable=false"),
                        extraProperties.stream())
                .flatMap(lines -> lines)
                .toList();
    }

    /** Starts the broker on its ports and data directory (after a kill, it recovers its logs first). */
    public void start() {
        process.start();
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                if (!process.alive()) {
                    throw new IllegalStateException("the Kafka broker exited; see " + process.log());
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Kafka broker not ready within " + timeout + "; see " + process.log(), e);
                    }
                    Cluster.sleep(500);
                }
            }
        }
    }

    private List<String> javaCommand(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Cluster.java(),
                "-Xmx512m",
                "-Xms128m",
                "-XX:+UseSerialGC",
                "-Dfaults.root=" + marker,
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-Dkafka.logs.dir=" + dir.resolve("logs"),
                "-cp",
                classpath,
                main));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
