package com.realtimevoice.faults.cluster;

import com.realtimevoice.faults.process.ChildProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One service JVM ({@code java -jar <module>-exec.jar}) on its own port, with its probes on its management port. */
public final class ServiceNode {

    public enum Kind {
        INGEST,
        WORKER,
        RESULT
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Kind kind;
    private final String name;
    private final int port;
    private final int managementPort;
    private final ChildProcess process;

    ServiceNode(Kind kind, String name, int port, int managementPort, ChildProcess process) {
        this.kind = kind;
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    public Kind kind() {
        return kind;
    }

    /** The service's name in the harness, and for an ingest node its INGEST_NODE_ID too. */
    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public ChildProcess process() {
        return process;
    }

    public String streamUrl() {
        return "ws://127.0.0.1:" + port + "/api/realtime-voice/stream";
    }

    public void start() {
        process.start();
    }

    public boolean ready() {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(3))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (!process.alive()) {
                throw new IllegalStateException(name + " exited while starting; see " + process.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready within " + timeout + "; see " + process.log());
            }
            Cluster.sleep(250);
        }
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
