package com.realtimevoice.local;

import static com.realtimevoice.local.DeploymentModel.list;
import static com.realtimevoice.local.DeploymentModel.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml keeps its data and exposes only what it should (issue 20), read as a file everywhere and, where
 * the Compose v2 plugin exists, as {@code docker compose config} sees it (skipped cleanly without the plugin).
 */
class ComposeFilesTest {

    private static final Path ROOT = DeploymentModel.root();
    private static final List<List<String>> COMPOSE_FILES = List.of(List.of("docker-compose.yml"),
            List.of("docker-compose.yml", "deploy/compose/kafka-cluster.yml"));

    private final Map<String, Object> services = map(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")), "services");

    @Test
    void kafkaAndMySqlKeepTheirDataInNamedVolumes() {
        Map<String, Object> cluster = DeploymentModel.merge(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")),
                DeploymentModel.compose(ROOT.resolve("deploy/compose/kafka-cluster.yml")));
        Map<String, Object> declared = new java.util.LinkedHashMap<>(map(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")), "volumes"));
        declared.putAll(map(DeploymentModel.compose(ROOT.resolve("deploy/compose/kafka-cluster.yml")), "volumes"));
        for (String broker : List.of("kafka", "kafka-2", "kafka-3")) {
            Map<String, Object> service = map(map(cluster, "services"), broker);
            String logDirs = String.valueOf(map(service, "environment").get("KAFKA_LOG_DIRS"));
            String mount = list(service, "volumes").stream().map(String::valueOf)
                    .filter(v -> v.endsWith(":" + logDirs)).findFirst().orElse(null);
            assertThat(mount).as(broker + " mounts a volume at its KAFKA_LOG_DIRS " + logDirs).isNotNull();
            assertThat(declared).as(broker + ": a named volume (an anonymous one is lost on recreate)")
                    .containsKey(mount.substring(0, mount.indexOf(':')));
        }
        assertThat(String.valueOf(list(services.get("mysql"), "volumes"))).contains("mysql-data:/var/lib/mysql");
    }

    @Test
    void observabilityPortsAreLocalAndGrafanaHasNoDefaultPassword() throws Exception {
        for (String name : List.of("prometheus", "grafana")) {
            for (Object port : list(services.get(name), "ports")) {
                assertThat(String.valueOf(port)).as(name + " port").startsWith("127.0.0.1:");
            }
        }
        String raw = DeploymentModel.read(ROOT.resolve("docker-compose.yml"));
        assertThat(raw).contains("GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?")
                .contains("AUTH_JWT_SECRET: ${AUTH_JWT_SECRET:?");
    }

    /** Nothing is installed at container start: that needs a network and fails offline. */
    @Test
    void nothingIsInstalledAtContainerStart() {
        List<String> scripts = new ArrayList<>();
        services.forEach((name, s) -> {
            scripts.add(String.valueOf(map(s).get("entrypoint")) + " " + map(s).get("command"));
            for (Object volume : list(s, "volumes")) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith("./") && source.endsWith(".sh")) {
                    scripts.add(DeploymentModel.read(ROOT.resolve(source.substring(2))));
                }
            }
        });
        assertThat(scripts).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain("apk add").doesNotContain("apt-get install")
                .doesNotContain("yum install").doesNotContain("pip install"));
    }

    @Test
    void dockerComposeConfigAcceptsEveryComposeFile() throws Exception {
        assumeTrue(run(List.of("docker", "compose", "version"), Map.of()).exitCode == 0,
                "no Compose v2 plugin (docker compose version failed)");
        Map<String, String> env = DeploymentModel.USER_SET;
        for (List<String> files : COMPOSE_FILES) {
            List<String> command = new ArrayList<>(List.of("docker", "compose"));
            files.forEach(f -> command.addAll(List.of("-f", ROOT.resolve(f).toString())));
            command.addAll(List.of("config", "-q"));
            Result r = run(command, env);
            assertThat(r.exitCode).as(files + ": " + r.output).isZero();
            // without the required password compose refuses, naming it
            Map<String, String> without = new java.util.HashMap<>(env);
            without.remove("GRAFANA_ADMIN_PASSWORD");
            Result refused = run(command, without);
            assertThat(refused.exitCode).isNotZero();
            assertThat(refused.output).contains("GRAFANA_ADMIN_PASSWORD");
        }
    }

    record Result(int exitCode, String output) {
    }

    static Result run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeAll(List.of("AUTH_JWT_SECRET", "GRAFANA_ADMIN_PASSWORD"));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            return new Result(127, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(124, out);
        }
        return new Result(p.exitValue(), out);
    }
}
