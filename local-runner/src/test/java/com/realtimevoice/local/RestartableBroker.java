package com.realtimevoice.local;

import com.realtimevoice.testsupport.SingleNodeKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker in its own JVM ({@code kafka.Kafka}, the test's classpath), that can be killed (-9)
 * and started again on the same ports and data directory: a broker outage as an operator would see one.
 */
final class RestartableBroker implements AutoCloseable {

    private final Path dir;
    private final int port = freePort();
    private final int controllerPort = freePort();
    private Process process;

    RestartableBroker(Path dir) {
        this.dir = dir;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Writes the configuration, formats the storage and starts the broker; returns once it answers. */
    RestartableBroker create(Duration timeout) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(
                dir.resolve("server.properties"),
                String.join("\n", SingleNodeKafka.serverProperties(port, controllerPort, dir.resolve("data"), 2))
                        + "\n",
                StandardCharsets.UTF_8);
        Process format = java(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        dir.resolve("server.properties").toString())
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        if (!format.waitFor(90, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed; see " + dir.resolve("format.log"));
        }
        start();
        awaitReady(timeout);
        return this;
    }

    void start() throws IOException {
        process = java("kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("kafka.log").toFile()))
                .start();
    }

    /** kill -9: no controlled shutdown, the clients just lose the broker. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited; see " + dir.resolve("kafka.log"));
                }
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    admin.listTopics().names().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Kafka broker not ready within " + timeout + "; see " + dir.resolve("kafka.log"), e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }

    private ProcessBuilder java(String main, String... args) throws IOException {
        Path logback = dir.resolve("logback.xml");
        Files.writeString(
                logback,
                "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                        + "<pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>"
                        + "<root level=\"WARN\"><appender-ref ref=\"OUT\"/></root></configuration>",
                StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + logback,
                "-Dkafka.logs.dir=" + dir.resolve("logs"),
                "-cp",
                System.getProperty("java.class.path"),
                main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
