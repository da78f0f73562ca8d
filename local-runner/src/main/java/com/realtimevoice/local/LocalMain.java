package com.realtimevoice.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded default: everything on one machine with no setup. Kafka runs in process, result-service
 * stores in H2 (MySQL mode) unless DB_HOST names a MySQL server, and the product answers on PORT (8080).
 */
public final class LocalMain {

    /** Seconds of warm-up traffic before the embedded default reports ready (LOCAL_WARMUP_SECONDS; 0: none). */
    static final int DEFAULT_WARMUP_SECONDS = 20;

    private LocalMain() {}

    public static void main(String[] args) {
        LocalCluster.Settings settings;
        try {
            settings = settingsFrom(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("realtime-voice: " + e.getMessage());
            System.exit(2);
            return;
        }
        String taken = portsTaken(ports(settings));
        if (taken != null) { // before the broker starts: said within a second, not after the first services are up
            System.err.println("realtime-voice: " + taken);
            System.exit(1);
            return;
        }
        LocalCluster cluster;
        try {
            cluster = new LocalCluster(settings).start();
        } catch (RuntimeException e) {
            // Without this the JVM lives on: the started services' threads are not daemons (it used to hang forever).
            System.err.println("realtime-voice: " + startFailure(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        System.out.printf(
                "ports: PORT=%d ASR_WORKER_PORT=%d RESULT_SERVICE_PORT=%d%n",
                cluster.ingestPort(0), cluster.workerPort(0), cluster.resultServicePort(0));
        printHowToTry(
                cluster.ingestPort(0),
                "http://127.0.0.1:%d/actuator/prometheus (worker :%d, result-service :%d)"
                        .formatted(
                                LocalCluster.managementPort(
                                        cluster.ingestNodes().get(0)),
                                LocalCluster.managementPort(cluster.workers().get(0)),
                                LocalCluster.managementPort(
                                        cluster.resultServices().get(0))));
    }

    /** The variable that sets each service's port (extend here when a service gets another listen port). */
    private static final Map<String, String> PORT_VARIABLES =
            Map.of("ingest-service", "PORT", "asr-worker", "ASR_WORKER_PORT", "result-service", "RESULT_SERVICE_PORT");

    /** The listen ports the settings ask for, by the variable that sets them; 0 (any free port) left out. */
    static Map<String, Integer> ports(LocalCluster.Settings settings) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("PORT", settings.firstIngestPort());
        ports.put("ASR_WORKER_PORT", settings.firstWorkerPort());
        ports.put("RESULT_SERVICE_PORT", settings.firstResultServicePort());
        ports.values().removeIf(p -> p == 0);
        return ports;
    }

    /** Why these ports cannot be used (two variables on one port, or a port another process holds), or null. */
    static String portsTaken(Map<String, Integer> ports) {
        Map<Integer, String> seen = new HashMap<>();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            String other = seen.putIfAbsent(e.getValue(), e.getKey());
            if (other != null) {
                return other + " and " + e.getKey() + " are both " + e.getValue()
                        + ": give each service its own port (0 = any free port)";
            }
        }
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            // bound the way Tomcat binds (all interfaces), closed at once
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(e.getValue()));
            } catch (IOException ex) {
                return inUse(e.getKey(), e.getValue());
            }
        }
        return null;
    }

    static String startFailure(RuntimeException e) {
        if (e instanceof LocalCluster.ServiceStartException failed && failed.portInUse() > 0) {
            return inUse(PORT_VARIABLES.getOrDefault(failed.service(), failed.service() + " port"), failed.portInUse());
        }
        return "failed to start: " + e.getMessage();
    }

    private static String inUse(String variable, int port) {
        return variable + "=" + port + ": port " + port + " is already in use; stop what holds it or set " + variable
                + " to a free port (0 = any free port)";
    }

    /** The environment variables the services read that shape the cluster itself (README, configuration). */
    static LocalCluster.Settings settingsFrom(Map<String, String> env) {
        LocalCluster.Settings settings = LocalCluster.Settings.defaults()
                .withFirstIngestPort(whole(env, "PORT", 8080, 0, 65535)) // 0: any free port
                .withServicePorts(
                        whole(env, "ASR_WORKER_PORT", 8081, 0, 65535),
                        whole(env, "RESULT_SERVICE_PORT", 8082, 0, 65535));
        String kafka = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (kafka != null && !kafka.isBlank()) {
            settings = settings.withKafka(kafka);
        }
        if (env.get("DB_HOST") != null) {
            settings = settings.withDatabase(Map.of()); // result-service reads DB_* itself
        }
        // warm-up traffic before /health says UP: a fresh JVM's first minute is otherwise slow (docs/performance.md)
        settings = settings.withWarmUp(
                Duration.ofSeconds(whole(env, "LOCAL_WARMUP_SECONDS", DEFAULT_WARMUP_SECONDS, 0, 600)));
        // the in-process broker creates the topics with this many partitions, and every service is told the same
        return settings.withPartitions(whole(env, "ASR_TOPIC_PARTITIONS", settings.partitions(), 1, 10_000));
    }

    private static int whole(Map<String, String> env, String name, int fallback, int min, int max) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }

    private static void printHowToTry(int port, String metrics) {
        String base = "http://localhost:" + port;
        String wav = Files.exists(Path.of("fixtures/speech/sentences.wav"))
                ? "fixtures/speech/sentences.wav"
                : "<repo>/fixtures/speech/sentences.wav";
        System.out.println("""

                ================================================================================
                 realtime-voice is ready on %1$s  (embedded Kafka, H2, Vosk English model)

                 1. get a development token:
                    TOKEN=$(curl -s -X POST %1$s/api/auth/dev-token -H 'Content-Type: application/json' \\
                            -d '{"userId":"demo"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')

                 2. one-shot recognition of a WAV that ships in the repo:
                    curl -s -H "Authorization: Bearer $TOKEN" -F audio=@%2$s %1$s/api/realtime-voice/recognize

                 3. stream over WebSocket (wscat: npm i -g wscat):
                    wscat -c "ws://localhost:%3$d/api/realtime-voice/stream?token=$TOKEN"
                    > {"type":"start","format":"pcm","sampleRate":16000}

                 health: %1$s/health   metrics: %4$s   stop: Ctrl+C
                ================================================================================
                """.formatted(base, wav, port, metrics));
    }
}
