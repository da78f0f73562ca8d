package com.realtimevoice.faults.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The fault harness runs the product with its shipped settings only (issue 18): every service JVM it starts gets no
 * Spring property on its command line and no environment variable that the service's own yml does not read, and every
 * variable that tunes it (Kafka, timeouts, sizes: all but where things are and who they are) has the yml's default.
 * The broker's group settings are docker-compose's. A faster timeout for the harness means a faster one shipped.
 */
class ShippedSettingsTest {

    private static final Path REPO = SpeechFixtures.DIR.getParent().getParent();

    /** Where things are and who they are: a deployment must set these, so the harness may too. */
    private static final Set<String> DEPLOYMENT = Set.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            "PORT",
            "ASR_WORKER_PORT",
            "RESULT_SERVICE_PORT",
            "INGEST_MANAGEMENT_PORT",
            "ASR_WORKER_MANAGEMENT_PORT",
            "RESULT_SERVICE_MANAGEMENT_PORT",
            "DB_HOST",
            "DB_PORT",
            "DB_NAME",
            "DB_USER",
            "DB_PASSWORD",
            "AUTH_JWT_SECRET",
            "INGEST_RESUME_SECRET",
            "INGEST_NODE_ID",
            "RESULT_SERVICE_URL",
            // the benchmarking engine beside the speech sessions (faults under load): a switch, not a tuning
            "ASR_BENCH_ENGINE_ENABLED");

    @Test
    void theHarnessPassesOnlyShippedSettings(@TempDir Path root) throws Exception {
        try (Cluster cluster = new Cluster(Cluster.Settings.defaults(), REPO, root)) {
            List<String> violations = new ArrayList<>();
            for (ServiceNode node : cluster.allServices()) {
                violations.addAll(violations(
                        node.kind(), node.process().command(), node.process().environment()));
            }
            assertEquals(List.of(), violations, "the harness runs a service with settings it does not ship");
            assertEquals(6, cluster.allServices().size());
        }
    }

    @Test
    void theHarnessBrokerHasComposesGroupSettings(@TempDir Path root) throws Exception {
        try (Cluster cluster = new Cluster(Cluster.Settings.defaults(), REPO, root)) {
            Map<String, String> compose = composeBrokerSettings();
            for (String line : cluster.broker().serverProperties()) {
                String key = line.substring(0, line.indexOf('='));
                if (key.startsWith("group.")) {
                    assertEquals(
                            line.substring(key.length() + 1),
                            compose.get(key),
                            key + " of the harness's broker: docker-compose's broker must have the same");
                }
            }
        }
    }

    /** The check itself catches what the harness used to pass (a session timeout on the command line and in env). */
    @Test
    void aSettingTheProductLacksOrChangesIsCaught() throws IOException {
        List<String> cmd = List.of(
                "java",
                "-Xmx384m",
                "-jar",
                "asr-worker-exec.jar",
                "--spring.kafka.consumer.properties.session.timeout.ms=10000");
        assertFalse(violations(ServiceNode.Kind.WORKER, cmd, Map.of()).isEmpty());
        assertFalse(violations(
                        ServiceNode.Kind.WORKER,
                        List.of("java", "-Dspring.kafka.consumer.max-poll-records=20", "-jar", "x.jar"),
                        Map.of())
                .isEmpty());
        assertFalse(violations(
                        ServiceNode.Kind.RESULT,
                        List.of("java", "-jar", "x.jar"),
                        Map.of("KAFKA_SESSION_TIMEOUT_MS", "10000"))
                .isEmpty());
        assertFalse(
                violations(ServiceNode.Kind.INGEST, List.of("java", "-jar", "x.jar"), Map.of("NOT_READ_BY_INGEST", "1"))
                        .isEmpty());
        assertFalse(violations(
                        ServiceNode.Kind.WORKER, List.of("java", "-jar", "x.jar"), Map.of("ASR_TOPIC_PARTITIONS", "6"))
                .isEmpty());
        // the shipped default itself, and where things are, pass
        assertTrue(violations(
                        ServiceNode.Kind.RESULT,
                        List.of("java", "-jar", "x.jar", "--spring.kafka.consumer.properties.session.timeout.ms=6000"),
                        Map.of("KAFKA_SESSION_TIMEOUT_MS", "6000", "DB_HOST", "db.example"))
                .isEmpty());
    }

    static List<String> violations(ServiceNode.Kind kind, List<String> command, Map<String, String> env)
            throws IOException {
        String module = switch (kind) {
            case INGEST -> "ingest-service";
            case WORKER -> "asr-worker";
            case RESULT -> "result-service";
        };
        Path yml = REPO.resolve(module).resolve("src/main/resources").resolve(module + ".yml");
        String text = Files.readString(yml, StandardCharsets.UTF_8);
        Map<String, String> properties = new LinkedHashMap<>();
        flatten("", new Yaml().load(text), properties);
        Map<String, String> variables = placeholders(text);
        List<String> out = new ArrayList<>();
        boolean afterJar = false;
        for (int i = 1; i < command.size(); i++) {
            String arg = command.get(i);
            if ("-jar".equals(arg)) {
                i++;
                afterJar = true;
                continue;
            }
            String property = afterJar && arg.startsWith("--")
                    ? arg.substring(2)
                    : !afterJar && arg.startsWith("-D") && !arg.startsWith("-Dfaults.root=") ? arg.substring(2) : null;
            if (property == null) {
                if (afterJar) {
                    out.add(module + ": argument " + arg);
                }
                continue; // a JVM option (heap, GC, the harness's marker)
            }
            int eq = property.indexOf('=');
            String key = eq < 0 ? property : property.substring(0, eq);
            String value = eq < 0 ? "" : property.substring(eq + 1);
            String shipped = properties.get(key);
            if (shipped != null && shipped.matches("\\$\\{[A-Z0-9_]+:[^${}]*}")) {
                shipped = shipped.substring(shipped.indexOf(':') + 1, shipped.length() - 1); // ${VAR:default}
            }
            if (!value.equals(shipped)) {
                out.add(module + ": " + key + "=" + value + " on the command line; " + yml.getFileName() + " has "
                        + (shipped != null ? shipped : "nothing"));
            }
        }
        env.forEach((name, value) -> {
            if (!variables.containsKey(name)) {
                out.add(module + ": environment " + name + ", which " + yml.getFileName() + " does not read");
            } else if (!DEPLOYMENT.contains(name) && !value.equals(variables.get(name))) {
                out.add(module + ": environment " + name + "=" + value + ", shipped default " + variables.get(name));
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, Map<String, String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                String key = String.valueOf(k);
                // Spring's "[a.b]" keeps dots inside one map key
                flatten(prefix.isEmpty() ? key : prefix + "." + key, v, out);
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), out);
            }
        } else {
            out.put(prefix, String.valueOf(node));
        }
    }

    /** Every {@code ${NAME:default}} of the file: environment variable -> its default (nested placeholders kept). */
    private static Map<String, String> placeholders(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while ((i = text.indexOf("${", i)) >= 0) {
            int colon = text.indexOf(':', i);
            int close = text.indexOf('}', i);
            if (colon < 0 || close < colon) {
                out.put(text.substring(i + 2, close), null);
                i = close;
                continue;
            }
            int depth = 1;
            int j = colon + 1;
            for (; j < text.length() && depth > 0; j++) {
                char c = text.charAt(j);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
            }
            out.putIfAbsent(text.substring(i + 2, colon), text.substring(colon + 1, j - 1));
            i = colon;
        }
        return out;
    }

    private static Map<String, String> composeBrokerSettings() throws IOException {
        Map<String, Object> compose =
                new Yaml().load(Files.readString(REPO.resolve("docker-compose.yml"), StandardCharsets.UTF_8));
        Map<?, ?> kafka = (Map<?, ?>) ((Map<?, ?>) compose.get("services")).get("kafka");
        Map<String, String> out = new LinkedHashMap<>();
        ((Map<?, ?>) kafka.get("environment")).forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith("KAFKA_")) {
                out.put(
                        key.substring("KAFKA_".length())
                                .toLowerCase(java.util.Locale.ROOT)
                                .replace('_', '.'),
                        String.valueOf(v));
            }
        });
        return out;
    }
}
