package com.realtimevoice.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The embedded default: everything on one machine with no setup. Kafka runs in process, result-service
 * stores in H2 (MySQL mode) unless DB_HOST names a MySQL server, and the product answers on PORT (8080).
 */
public final class LocalMain {

    private LocalMain() {
    }

    public static void main(String[] args) {
        LocalCluster.Settings settings;
        try {
            settings = settingsFrom(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("realtime-voice: " + e.getMessage());
            System.exit(2);
            return;
        }
        LocalCluster cluster = new LocalCluster(settings).start();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        printHowToTry(cluster.ingestPort(0), "http://127.0.0.1:%d/actuator/prometheus (worker :%d, result-service :%d)".formatted(
                LocalCluster.managementPort(cluster.ingestNodes().get(0)), LocalCluster.managementPort(cluster.workers().get(0)),
                LocalCluster.managementPort(cluster.resultServices().get(0))));
    }

    /** The environment variables the services read that shape the cluster itself (README, configuration). */
    static LocalCluster.Settings settingsFrom(Map<String, String> env) {
        LocalCluster.Settings settings = LocalCluster.Settings.defaults()
                .withFirstIngestPort(whole(env, "PORT", 8080, 0, 65535)); // 0: any free port
        String kafka = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (kafka != null && !kafka.isBlank()) {
            settings = settings.withKafka(kafka);
        }
        if (env.get("DB_HOST") != null) {
            settings = settings.withDatabase(Map.of()); // result-service reads DB_* itself
        }
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
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }

    private static void printHowToTry(int port, String metrics) {
        String base = "http://localhost:" + port;
        String wav = Files.exists(Path.of("fixtures/speech/sentences.wav")) ? "fixtures/speech/sentences.wav"
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
