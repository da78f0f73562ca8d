package com.realtimevoice.local;

import static com.realtimevoice.local.DeploymentModel.list;
import static com.realtimevoice.local.DeploymentModel.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * docker-compose.yml keeps its data and exposes only what it should (issue 20), read as a file everywhere and, where
 * the Compose v2 plugin exists, as {@code docker compose config} renders it (skipped cleanly without the plugin, failed
 * under CI=true).
 */
class ComposeFilesTest {

    private static final Path ROOT = DeploymentModel.root();
    private static final List<List<String>> COMPOSE_FILES =
            List.of(List.of("docker-compose.yml"), List.of("docker-compose.yml", "deploy/compose/kafka-cluster.yml"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> services =
            map(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")), "services");

    @Test
    void kafkaAndMySqlKeepTheirDataInNamedVolumes() {
        Map<String, Object> cluster = DeploymentModel.merge(
                DeploymentModel.compose(ROOT.resolve("docker-compose.yml")),
                DeploymentModel.compose(ROOT.resolve("deploy/compose/kafka-cluster.yml")));
        Map<String, Object> declared = new java.util.LinkedHashMap<>(
                map(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")), "volumes"));
        declared.putAll(map(DeploymentModel.compose(ROOT.resolve("deploy/compose/kafka-cluster.yml")), "volumes"));
        for (String broker : List.of("kafka", "kafka-2", "kafka-3")) {
            Map<String, Object> service = map(map(cluster, "services"), broker);
            String logDirs = String.valueOf(map(service, "environment").get("KAFKA_LOG_DIRS"));
            String mount = list(service, "volumes").stream()
                    .map(String::valueOf)
                    .filter(v -> v.endsWith(":" + logDirs))
                    .findFirst()
                    .orElse(null);
            assertThat(mount)
                    .as(broker + " mounts a volume at its KAFKA_LOG_DIRS " + logDirs)
                    .isNotNull();
            assertThat(declared)
                    .as(broker + ": a named volume (an anonymous one is lost on recreate)")
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
        assertThat(raw)
                .contains("GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?")
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
        assertThat(scripts)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s)
                        .doesNotContain("apk add")
                        .doesNotContain("apt-get install")
                        .doesNotContain("yum install")
                        .doesNotContain("pip install"));
    }

    /**
     * What Compose v2 itself makes of every compose file: the services, their published ports, environment and health
     * checks as {@code docker compose config} renders them (the model above reads the YAML by hand). Fails under
     * CI=true without the plugin (.ci/run installs it: deploy/compose/install-compose-plugin.sh), skipped elsewhere.
     */
    @Test
    void dockerComposeConfigRendersEveryComposeFileAsShipped() throws Exception {
        Result version = run(List.of("docker", "compose", "version"), Map.of());
        String missing = "no Compose v2 plugin (docker compose version: " + version.output.strip()
                + "); deploy/compose/install-compose-plugin.sh installs it";
        boolean v2 = version.exitCode == 0 && version.output.matches("(?s).*\\bv?2\\.\\d+.*");
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(v2).as(missing).isTrue();
        }
        assumeTrue(v2, missing);
        Map<String, String> env = DeploymentModel.USER_SET;
        for (List<String> files : COMPOSE_FILES) {
            List<String> command = new ArrayList<>(List.of("docker", "compose"));
            files.forEach(f -> command.addAll(List.of("-f", ROOT.resolve(f).toString())));
            command.addAll(List.of("config", "--format", "json"));
            Result r = run(command, env);
            assertThat(r.exitCode).as(files + ": " + r.output).isZero();
            JsonNode config = JSON.readTree(r.output.substring(r.output.indexOf('{')));
            assertRendered(files, config, env);

            // without the required password compose refuses, naming it
            Map<String, String> without = new HashMap<>(env);
            without.remove("GRAFANA_ADMIN_PASSWORD");
            Result refused = run(command, without);
            assertThat(refused.exitCode).isNotZero();
            assertThat(refused.output).contains("GRAFANA_ADMIN_PASSWORD");
        }
        hostNetworkOverrideRenders(env);
    }

    /**
     * deploy/compose/host-network.yml (the pipeline on an engine without a bridge, as survival-check.sh runs it) and
     * the image variables: the public images by default, KAFKA_IMAGE/MYSQL_IMAGE (the local stand-ins) when set.
     */
    private static void hostNetworkOverrideRenders(Map<String, String> userSet) throws Exception {
        Map<String, String> env = new HashMap<>(userSet);
        env.putAll(Map.of(
                "KAFKA_IMAGE",
                "realtime-voice/kafka-standin:4.1.1",
                "MYSQL_IMAGE",
                "realtime-voice/mariadb-standin:debian",
                "RV_KAFKA_PORT",
                "19092",
                "RV_RESULT_PORT",
                "18082",
                "RV_MYSQL_PORT",
                "13306"));
        Result r = run(
                List.of(
                        "docker",
                        "compose",
                        "-f",
                        ROOT.resolve("docker-compose.yml").toString(),
                        "-f",
                        ROOT.resolve("deploy/compose/host-network.yml").toString(),
                        "config",
                        "--format",
                        "json"),
                env);
        assertThat(r.exitCode).as(r.output).isZero();
        JsonNode services =
                JSON.readTree(r.output.substring(r.output.indexOf('{'))).path("services");
        assertThat(services.path("kafka").path("image").asString()).isEqualTo("realtime-voice/kafka-standin:4.1.1");
        assertThat(services.path("mysql").path("image").asString()).isEqualTo("realtime-voice/mariadb-standin:debian");
        assertThat(services.path("mysql")
                        .path("environment")
                        .path("MYSQL_TCP_PORT")
                        .asString())
                .isEqualTo("13306");
        for (String name : List.of("kafka", "mysql", "result-service", "asr-worker", "ingest-1")) {
            assertThat(services.path(name).path("network_mode").asString())
                    .as(name + " network_mode")
                    .isEqualTo("host");
            assertThat(services.path(name).path("networks").isMissingNode())
                    .as(name + " networks")
                    .isTrue();
            if (!name.equals("kafka") && !name.equals("mysql")) {
                assertThat(services.path(name)
                                .path("environment")
                                .path("KAFKA_BOOTSTRAP_SERVERS")
                                .asString())
                        .isEqualTo("127.0.0.1:19092");
            }
        }
        assertThat(services.path("result-service")
                        .path("environment")
                        .path("DB_PORT")
                        .asString())
                .isEqualTo("13306");
        assertThat(services.path("ingest-1")
                        .path("environment")
                        .path("RESULT_SERVICE_URL")
                        .asString())
                .isEqualTo("http://127.0.0.1:18082");
        assertThat(services.path("asr-worker").path("deploy").path("replicas").asInt())
                .as("one worker: host ports")
                .isEqualTo(1);
    }

    private static void assertRendered(List<String> files, JsonNode config, Map<String, String> env) {
        boolean cluster = files.size() > 1;
        assertThat(config.path("name").asString()).isEqualTo("realtime-voice");
        assertThat(config.path("services").path("kafka").path("image").asString())
                .as("KAFKA_IMAGE unset")
                .isEqualTo("apache/kafka:4.1.1");
        assertThat(config.path("services").path("mysql").path("image").asString())
                .as("MYSQL_IMAGE unset")
                .isEqualTo("mysql:8.4");
        JsonNode services = config.path("services");
        Set<String> expected = new TreeSet<>(Set.of(
                "kafka",
                "mysql",
                "result-service",
                "asr-worker",
                "ingest-1",
                "ingest-2",
                "tls-cert",
                "nginx",
                "prometheus",
                "grafana"));
        if (cluster) {
            expected.addAll(Set.of("kafka-2", "kafka-3"));
        }
        assertThat(new TreeSet<>(services.propertyNames()))
                .as(files + " services")
                .isEqualTo(expected);

        // Only the edge and (on 127.0.0.1) the observability tools publish ports.
        for (String name : services.propertyNames()) {
            JsonNode ports = services.path(name).path("ports");
            if (name.equals("nginx")) {
                assertThat(ports.findValuesAsString("target")).containsExactlyInAnyOrder("443", "80");
            } else if (name.equals("prometheus") || name.equals("grafana")) {
                assertThat(ports.size()).as(name + " ports").isEqualTo(1);
                assertThat(ports.get(0).path("host_ip").asString())
                        .as(name + " binds 127.0.0.1 only")
                        .isEqualTo("127.0.0.1");
            } else {
                assertThat(ports.isMissingNode() || ports.isEmpty())
                        .as(name + " publishes no port: " + ports)
                        .isTrue();
            }
        }
        assertThat(services.path("grafana")
                        .path("environment")
                        .path("GF_SECURITY_ADMIN_PASSWORD")
                        .asString())
                .isEqualTo(env.get("GRAFANA_ADMIN_PASSWORD"));

        // The Java services: built from deploy/Dockerfile, listening on their own port variable, the image's health
        // check.
        for (String name : List.of("result-service", "asr-worker", "ingest-1", "ingest-2")) {
            JsonNode service = services.path(name);
            String module = service.path("build").path("args").path("SERVICE").asString();
            assertThat(DeploymentModel.SERVICES).as(name + " SERVICE").contains(module);
            assertThat(service.path("build").path("dockerfile").asString()).isEqualTo("deploy/Dockerfile");
            DeploymentModel.Port port = DeploymentModel.port(module);
            JsonNode environment = service.path("environment");
            assertThat(environment.path(port.variable()).asString())
                    .as(name + " " + port.variable())
                    .isEqualTo(String.valueOf(port.defaultValue()))
                    .isEqualTo(service.path("build")
                            .path("args")
                            .path("SERVICE_PORT")
                            .asString());
            DeploymentModel.Port management = DeploymentModel.managementPort(module);
            assertThat(environment.path(management.variable()).asString())
                    .as(name + " " + management.variable())
                    .isNotEmpty();
            assertThat(environment.path("KAFKA_BOOTSTRAP_SERVERS").asString())
                    .as(name + " brokers")
                    .startsWith("kafka:9092");
            if (!module.equals("asr-worker")) {
                assertThat(environment.path("AUTH_JWT_SECRET").asString())
                        .as(name + " AUTH_JWT_SECRET")
                        .isEqualTo(env.get("AUTH_JWT_SECRET"));
            }
            assertThat(service.path("healthcheck")
                            .path("test")
                            .valueStream()
                            .map(JsonNode::asString)
                            .toList())
                    .as(name + " health check")
                    .containsExactly("CMD", "bash", "/app/healthcheck.sh");
        }
        for (String name : List.of("kafka", "mysql", "nginx")) {
            JsonNode healthcheck = services.path(name).path("healthcheck");
            assertThat(healthcheck.path("test").isArray())
                    .as(name + " health check")
                    .isTrue();
            assertThat(healthcheck.path("disable").asBoolean(false))
                    .as(name + " health check disabled")
                    .isFalse();
        }
        for (String broker : cluster ? List.of("kafka", "kafka-2", "kafka-3") : List.of("kafka")) {
            JsonNode service = services.path(broker);
            String logDirs = service.path("environment").path("KAFKA_LOG_DIRS").asString();
            assertThat(service.path("volumes")
                            .valueStream()
                            .filter(v -> v.path("type").asString().equals("volume")
                                    && v.path("target").asString().equals(logDirs))
                            .map(v -> v.path("source").asString())
                            .toList())
                    .as(broker + ": a named volume at " + logDirs)
                    .hasSize(1)
                    .allSatisfy(volume -> assertThat(config.path("volumes").has(volume))
                            .as(volume + " declared")
                            .isTrue());
        }
    }

    record Result(int exitCode, String output) {}

    static Result run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment()
                .keySet()
                .removeAll(List.of("AUTH_JWT_SECRET", "GRAFANA_ADMIN_PASSWORD", "KAFKA_IMAGE", "MYSQL_IMAGE"));
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
