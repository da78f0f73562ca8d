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
        int port = Integer.parseInt(env("PORT", "8080"));
        LocalCluster.Settings settings = LocalCluster.Settings.defaults().withFirstIngestPort(port);
        String kafka = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (kafka != null && !kafka.isBlank()) {
            settings = settings.withKafka(kafka);
        }
        if (System.getenv("DB_HOST") != null) {
            settings = settings.withDatabase(Map.of()); // result-service reads DB_* itself
        }
        LocalCluster cluster = new LocalCluster(settings).start();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        printHowToTry(cluster.ingestPort(0));
    }

    private static void printHowToTry(int port) {
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

                 health: %1$s/health   metrics: %1$s/actuator/prometheus   stop: Ctrl+C
                ================================================================================
                """.formatted(base, wav, port));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
