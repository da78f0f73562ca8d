package com.realtimevoice.local;

import static com.realtimevoice.local.DeploymentModel.environment;
import static com.realtimevoice.local.DeploymentModel.list;
import static com.realtimevoice.local.DeploymentModel.map;
import static com.realtimevoice.local.DeploymentModel.path;
import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.Topics;
import com.realtimevoice.testsupport.StreamingClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Keeps the deployment files true without Docker or Kubernetes: docker-compose.yml (and its three-broker
 * override), deploy/Dockerfile and its health check, the nginx template, Prometheus, Grafana and deploy/k8s are
 * parsed and checked against the code: the modules, the ports and environment variables each service's yml
 * reads, its shutdown timeout, the actuator probe paths, the topic and consumer group names.
 */
class DeploymentFilesTest {

    private static final Path ROOT = DeploymentModel.root();
    private static final Path DEPLOY = ROOT.resolve("deploy");

    private final Map<String, Object> compose = DeploymentModel.compose(ROOT.resolve("docker-compose.yml"));
    private final Map<String, Object> services = map(compose, "services");

    // ---- docker-compose.yml ----

    @Test
    void composeBuildsEachServiceFromItsOwnModuleWithTheSharedDockerfile() {
        Map<String, String> built = javaServices(services);
        assertThat(new HashSet<>(built.values()))
                .as("modules built by compose")
                .isEqualTo(Set.copyOf(DeploymentModel.SERVICES));
        String pomVersion = rootVersion();
        for (Map.Entry<String, String> e : built.entrySet()) {
            String module = e.getValue();
            Map<String, Object> build = map(services.get(e.getKey()), "build");
            assertThat(build.get("context")).as(e.getKey() + " build context").isEqualTo(".");
            assertThat(DeploymentModel.modules()).as("root pom modules").contains(module);
            String pom = DeploymentModel.read(ROOT.resolve(module).resolve("pom.xml"));
            assertThat(pom)
                    .as(module + "/pom.xml")
                    .contains("<artifactId>" + module + "</artifactId>")
                    .contains("<classifier>exec</classifier>");
            assertThat(ROOT.resolve(module).resolve("src/main/resources").resolve(module + ".yml"))
                    .exists();
            assertThat(String.valueOf(map(build, "args").get("SERVICE_PORT")))
                    .as(e.getKey() + " SERVICE_PORT build arg")
                    .isEqualTo(String.valueOf(DeploymentModel.port(module).defaultValue()));
            assertThat(String.valueOf(services.get(e.getKey()) instanceof Map<?, ?> m ? m.get("image") : ""))
                    .as(e.getKey() + " image")
                    .contains(module);
            // What the Dockerfile copies: <module>/target/<module>-<version>-exec.jar
            assertThat(module + "-" + pomVersion + "-exec.jar").matches(module + "-.*-exec\\.jar");
        }
        assertThat(built.values().stream().filter("ingest-service"::equals).count())
                .as("ingest nodes")
                .isEqualTo(2);
        assertThat(built.values().stream().filter("result-service"::equals).count())
                .as("result services")
                .isEqualTo(1);
        String worker = serviceOf(built, "asr-worker").get(0);
        assertThat(path(services.get(worker), "deploy", "replicas"))
                .as("worker replicas")
                .isEqualTo(2);
        for (String infra : List.of("kafka", "mysql", "nginx", "prometheus", "grafana", "tls-cert")) {
            assertThat(services).as("compose services").containsKey(infra);
        }
        assertThat(String.valueOf(map(services, "mysql").get("image"))).startsWith("mysql:8");
        assertThat(String.valueOf(map(services, "kafka", "environment").get("KAFKA_PROCESS_ROLES")))
                .isEqualTo("broker,controller");
    }

    @Test
    void composeSetsEveryVariableAServiceNeedsAndNoneItDoesNotRead() {
        javaServices(services).forEach((name, module) -> {
            Map<String, String> env = environment(map(services, name));
            Set<String> read = DeploymentModel.environmentVariables(module).keySet();
            for (String required : DeploymentModel.requiredVariables(module)) {
                assertThat(env.get(required)).as(name + " must set " + required).isNotBlank();
            }
            for (String set : env.keySet()) {
                assertThat(read.contains(set) || DeploymentModel.JVM_VARIABLES.contains(set))
                        .as(name + " sets " + set + ", which " + module + ".yml does not read (a typo?); it reads "
                                + read)
                        .isTrue();
            }
        });
    }

    @Test
    void composeWiresServicesOnThePortsTheyListenOn() {
        Map<String, String> built = javaServices(services);
        Map<String, Integer> ports = new LinkedHashMap<>();
        built.forEach((name, module) ->
                ports.put(name, DeploymentModel.port(module).in(environment(map(services, name)))));
        for (String name : built.keySet()) {
            assertThat(String.valueOf(path(services.get(name), "healthcheck", "test")))
                    .as(name + " health check")
                    .contains("/app/healthcheck.sh");
        }
        String result = serviceOf(built, "result-service").get(0);
        List<String> ingest = serviceOf(built, "ingest-service");
        for (String node : ingest) {
            assertThat(environment(map(services, node)).get("RESULT_SERVICE_URL"))
                    .as(node + " RESULT_SERVICE_URL")
                    .isEqualTo("http://" + result + ":" + ports.get(result));
        }
        // nginx balances across exactly the ingest nodes, on their port: a name every ingest node (and nothing else)
        // answers to, asked of Docker's DNS again and again
        Map<String, String> nginx = environment(map(services, "nginx"));
        String[] upstream = nginx.get("INGEST_UPSTREAM").split(":");
        for (String node : ingest) {
            assertThat(String.valueOf(path(services.get(node), "networks", "default", "aliases")))
                    .as(node + " network alias")
                    .contains(upstream[0]);
            assertThat(Integer.parseInt(upstream[1])).as("INGEST_UPSTREAM port").isEqualTo(ports.get(node));
        }
        services.forEach((name, service) -> {
            if (!ingest.contains(name)) {
                assertThat(String.valueOf(path(service, "networks")))
                        .as(name + " must not answer to " + upstream[0])
                        .doesNotContain(upstream[0]);
            }
        });
        assertThat(nginx.get("NGINX_RESOLVER")).as("Docker's embedded DNS").isEqualTo("127.0.0.11");
        assertThat(seconds(nginx.get("NGINX_RESOLVER_VALID")))
                .as("how soon a recreated node is followed")
                .isBetween(1, 30);
        assertThat(String.valueOf(list(services.get("nginx"), "ports"))).contains(":" + nginx.get("NGINX_HTTPS_PORT"));

        // Prometheus scrapes every service on its management port (actuator is not on the service port), which
        // listens beyond the container's loopback
        Map<String, Integer> managementPorts = new LinkedHashMap<>();
        built.forEach((name, module) -> {
            Map<String, String> env = environment(map(services, name));
            managementPorts.put(name, DeploymentModel.managementPort(module).in(env));
            assertThat(env.get("MANAGEMENT_ADDRESS"))
                    .as(name + " MANAGEMENT_ADDRESS")
                    .isEqualTo("0.0.0.0");
            assertThat(managementPorts.get(name)).as(name + " management port").isNotEqualTo(ports.get(name));
        });
        built.keySet()
                .forEach(name -> assertThat(list(services.get(name), "ports"))
                        .as(name + " publishes no port (nginx is the edge)")
                        .isEmpty());
        Map<String, Object> prometheus = DeploymentModel.loadYaml(DEPLOY.resolve("prometheus/prometheus.yml"));
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        for (Object job : list(prometheus, "scrape_configs")) {
            jobs.put(String.valueOf(((Map<?, ?>) job).get("job_name")), map(job));
        }
        assertThat(jobs.keySet()).containsAll(DeploymentModel.SERVICES);
        for (String module : DeploymentModel.SERVICES) {
            Map<String, Object> job = jobs.get(module);
            assertThat(job.get("metrics_path")).as(module + " metrics_path").isEqualTo("/actuator/prometheus");
            Set<String> expected = serviceOf(built, module).stream()
                    .map(n -> n + ":" + managementPorts.get(n))
                    .collect(Collectors.toSet());
            Set<String> targets = new HashSet<>();
            for (Object sc : list(job, "static_configs")) {
                list(sc, "targets").forEach(t -> targets.add(String.valueOf(t)));
            }
            for (Object dns : list(job, "dns_sd_configs")) {
                list(dns, "names").forEach(n -> targets.add(n + ":" + map(dns).get("port")));
            }
            assertThat(targets).as("Prometheus targets of " + module).isEqualTo(expected);
        }
        assertThat(Files.exists(DEPLOY.resolve("prometheus")
                        .resolve(String.valueOf(list(prometheus, "rule_files").get(0)))))
                .isTrue();

        // Kafka and MySQL as the services are told to find them
        for (String name : built.keySet()) {
            for (String server : environment(map(services, name))
                    .get("KAFKA_BOOTSTRAP_SERVERS")
                    .split(",")) {
                assertThat(services).as(name + " bootstrap server " + server).containsKey(server.split(":")[0]);
                assertThat(server).endsWith(":9092");
            }
        }
        assertThat(String.valueOf(map(services, "kafka", "environment").get("KAFKA_ADVERTISED_LISTENERS")))
                .contains("kafka:9092");
        Map<String, String> db = environment(map(services, result));
        Map<String, String> mysql = environment(map(services, "mysql"));
        assertThat(services).containsKey(db.get("DB_HOST"));
        assertThat(db.get("DB_NAME")).isEqualTo(mysql.get("MYSQL_DATABASE"));
        assertThat(db.get("DB_USER")).isEqualTo(mysql.get("MYSQL_USER"));
        assertThat(db.get("DB_PASSWORD")).isEqualTo(mysql.get("MYSQL_PASSWORD"));
    }

    @Test
    void composeGivesIngestNodesDistinctIdsAndOneSharedTokenSecret() {
        Map<String, String> built = javaServices(services);
        Set<String> ids = new HashSet<>();
        for (String node : serviceOf(built, "ingest-service")) {
            String id = environment(map(services, node)).get("INGEST_NODE_ID");
            assertThat(id).as(node + " INGEST_NODE_ID").isNotBlank();
            Topics.delivery(id); // throws for an id that cannot name a topic
            assertThat(ids.add(id))
                    .as("INGEST_NODE_ID " + id + " is used twice")
                    .isTrue();
        }
        Set<String> secrets = new HashSet<>();
        for (String name : built.keySet()) {
            String secret = environment(map(services, name)).get("AUTH_JWT_SECRET");
            if (DeploymentModel.environmentVariables(built.get(name)).containsKey("AUTH_JWT_SECRET")) {
                assertThat(secret)
                        .as(name + " AUTH_JWT_SECRET (HS256 needs 32 bytes)")
                        .hasSizeGreaterThanOrEqualTo(32);
                secrets.add(secret);
            }
        }
        assertThat(secrets)
                .as("ingest and result-service must share AUTH_JWT_SECRET")
                .hasSize(1);
    }

    @Test
    void composeStartsInDependencyOrderAndStopsGracefully() {
        Map<String, String> built = javaServices(services);
        String result = serviceOf(built, "result-service").get(0);
        String worker = serviceOf(built, "asr-worker").get(0);
        assertThat(dependsOn(result))
                .containsEntry("kafka", "service_healthy")
                .containsEntry("mysql", "service_healthy");
        assertThat(dependsOn(worker)).containsEntry("kafka", "service_healthy");
        for (String node : serviceOf(built, "ingest-service")) {
            assertThat(dependsOn(node))
                    .containsEntry("kafka", "service_healthy")
                    .containsEntry(result, "service_healthy");
            assertThat(dependsOn("nginx")).containsEntry(node, "service_healthy");
        }
        assertThat(dependsOn("nginx")).containsEntry("tls-cert", "service_completed_successfully");
        for (String name : services.keySet()) {
            dependsOn(name).forEach((dependency, condition) -> {
                assertThat(services).as(name + " depends on " + dependency).containsKey(dependency);
                if ("service_healthy".equals(condition)) {
                    assertThat(map(services, dependency))
                            .as(dependency + " needs a health check")
                            .containsKey("healthcheck");
                }
            });
        }
        built.forEach((name, module) -> assertThat(
                        seconds(String.valueOf(map(services, name).get("stop_grace_period"))))
                .as(name + " stop_grace_period vs. its graceful shutdown")
                .isGreaterThanOrEqualTo(DeploymentModel.shutdownPhaseSeconds(module) + 5));
        // the certificate made by tls-cert is the one nginx serves
        assertThat(String.valueOf(list(services.get("tls-cert"), "volumes"))).contains("tls:/etc/nginx/tls");
        assertThat(String.valueOf(list(services.get("nginx"), "volumes")))
                .contains("tls:" + environment(map(services, "nginx")).get("NGINX_TLS_DIR"));
        assertThat(String.valueOf(list(services.get("tls-cert"), "volumes")))
                .contains("./deploy/nginx/self-signed-cert.sh:");
        assertThat(DEPLOY.resolve("nginx/self-signed-cert.sh")).exists();
    }

    @Test
    void threeBrokerOverrideReplicatesEveryTopicThreeTimes() {
        Map<String, String> built = javaServices(services);
        assertThat(brokers(services)).as("brokers by default").hasSize(1);
        built.keySet()
                .forEach(name -> assertThat(environment(map(services, name)).get("KAFKA_REPLICATION_FACTOR"))
                        .isEqualTo("1"));

        Map<String, Object> merged = map(
                DeploymentModel.merge(compose, DeploymentModel.compose(DEPLOY.resolve("compose/kafka-cluster.yml"))),
                "services");
        List<String> brokers = brokers(merged);
        assertThat(brokers).hasSize(3);
        Set<String> clusterIds = new HashSet<>();
        Set<String> voters = new HashSet<>();
        Set<String> nodeIds = new HashSet<>();
        for (String broker : brokers) {
            Map<String, String> env = environment(map(merged, broker));
            clusterIds.add(env.get("CLUSTER_ID"));
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
            assertThat(nodeIds.add(env.get("KAFKA_NODE_ID")))
                    .as("unique KAFKA_NODE_ID")
                    .isTrue();
            assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).isEqualTo("PLAINTEXT://" + broker + ":9092");
            assertThat(env)
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
            assertThat(String.valueOf(map(merged, broker).get("image"))).startsWith("apache/kafka:");
            assertThat(map(merged, broker)).containsKey("healthcheck");
        }
        assertThat(clusterIds).as("one CLUSTER_ID").hasSize(1);
        assertThat(clusterIds.iterator().next())
                .as("CLUSTER_ID is a base64 UUID")
                .matches("[A-Za-z0-9_-]{22}");
        assertThat(clusterIds)
                .isEqualTo(Set.of(environment(map(services, "kafka")).get("CLUSTER_ID")));
        assertThat(voters).as("one voter list").hasSize(1);
        Set<String> expectedVoters = brokers.stream()
                .map(b -> environment(map(merged, b)).get("KAFKA_NODE_ID") + "@" + b + ":9093")
                .collect(Collectors.toSet());
        assertThat(Set.of(voters.iterator().next().split(","))).isEqualTo(expectedVoters);
        for (String name : built.keySet()) {
            Map<String, String> env = environment(map(merged, name));
            assertThat(env.get("KAFKA_REPLICATION_FACTOR")).as(name).isEqualTo("3");
            assertThat(Set.of(env.get("KAFKA_BOOTSTRAP_SERVERS").split(",")))
                    .isEqualTo(brokers.stream().map(b -> b + ":9092").collect(Collectors.toSet()));
            Map<String, Object> depends = map(merged, name, "depends_on");
            brokers.forEach(
                    b -> assertThat(depends).as(name + " waits for " + b).containsKey(b));
        }
    }

    // ---- deploy/Dockerfile and its health check ----

    @Test
    void dockerfileRunsAnyServiceModuleAsNonRootWithAHealthCheck() throws IOException {
        String dockerfile = DeploymentModel.read(DEPLOY.resolve("Dockerfile"));
        Matcher defaultService = Pattern.compile("(?m)^ARG SERVICE=(\\S+)").matcher(dockerfile);
        assertThat(defaultService.find()).isTrue();
        assertThat(DeploymentModel.SERVICES).contains(defaultService.group(1));
        assertThat(dockerfile)
                .contains("-pl " + String.join(",", DeploymentModel.SERVICES) + " -am package")
                .contains("cp \"$module/target/$module\"-*-exec.jar \"/jars/$module.jar\"")
                .contains("COPY --from=build /jars/${SERVICE}.jar app.jar")
                .contains("extract --layers --launcher")
                .contains("COPY deploy/healthcheck.sh /app/healthcheck.sh")
                .contains("CMD [\"bash\", \"/app/healthcheck.sh\"]")
                .contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]")
                .contains("-XX:MaxRAMPercentage=")
                .contains("--uid 10001");
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            assertThat(dockerfile).contains("/layers/extracted/" + layer + "/");
        }
        assertThat(dockerfile).containsPattern("(?m)^USER 10001");
        assertThat(dockerfile.indexOf("USER 10001"))
                .as("USER before ENTRYPOINT")
                .isLessThan(dockerfile.indexOf("ENTRYPOINT"));
        // Every module the build needs reaches the build context.
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(ignored).contains("**/target/");
        for (String module : DeploymentModel.modules()) {
            assertThat(ignored).noneMatch(l -> l.replace("/", "").equals(module));
        }
        assertThat(ignored)
                .noneMatch(l -> l.startsWith("deploy")
                        || l.startsWith("/deploy")
                        || l.equals("pom.xml")
                        || l.startsWith(".mvn"));

        String healthcheck = DeploymentModel.read(DEPLOY.resolve("healthcheck.sh"));
        for (String module : DeploymentModel.SERVICES) {
            DeploymentModel.Port port = DeploymentModel.managementPort(module);
            assertThat(healthcheck)
                    .as("healthcheck.sh (management) port of " + module)
                    .containsPattern(Pattern.quote(module) + "\\)\\s+port=\"\\$\\{" + port.variable() + ":-"
                            + port.defaultValue() + "}\"");
        }
        assertThat(healthcheck).contains("/actuator/health/readiness");
    }

    // ---- nginx ----

    @Test
    void nginxTemplateProxiesWebSocketsWithTimeoutsAboveTheHeartbeat() {
        String template = DeploymentModel.read(DEPLOY.resolve("nginx/templates/default.conf.template"));
        String conf = template.replaceAll("\\$\\{([A-Z0-9_]+)}", "@$1@"); // structure only: no braces of ${VAR}
        String stream = block(conf, "location /api/realtime-voice/stream");
        String https = serverWith(conf, "listen @NGINX_HTTPS_PORT@ ssl;");
        assertThat(template).contains("map $http_upgrade $connection_upgrade");
        // set at server level (inherited by every location that sets none of its own) or in the location itself
        String headers = stream.contains("proxy_set_header") ? stream : https;
        assertThat(headers)
                .containsPattern("proxy_set_header\\s+Upgrade\\s+\\$http_upgrade;")
                .containsPattern("proxy_set_header\\s+Connection\\s+\\$connection_upgrade;")
                .containsPattern("proxy_http_version\\s+1\\.1;");
        int heartbeat = heartbeatSeconds();
        int readTimeout = seconds(directive(stream, "proxy_read_timeout"));
        assertThat(readTimeout)
                .as("stream proxy_read_timeout vs. the %d s heartbeat and 60 s idle proxies", heartbeat)
                .isGreaterThanOrEqualTo(Math.max(4 * heartbeat, 120));
        // names are resolved per request (a variable), with an answer kept no longer than valid=
        assertThat(stream).contains("proxy_pass http://$ingest;");
        assertThat(https)
                .containsPattern("resolver\\s+@NGINX_RESOLVER@\\s+valid=@NGINX_RESOLVER_VALID@")
                .containsPattern("set\\s+\\$ingest\\s+@INGEST_UPSTREAM@;");
        assertThat(conf).doesNotContain("upstream ingest").doesNotContainPattern("proxy_pass\\s+http://[a-z@]");
        assertThat(https).contains("ssl_certificate ").contains("ssl_certificate_key ");
        assertThat(megabytes(directive(https, "client_max_body_size")))
                .as("uploads up to INGEST_MAX_UPLOAD_SIZE")
                .isGreaterThanOrEqualTo(20);
        // Every ${VAR} of the template is set on the nginx container, and the other way round.
        Set<String> variables = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(template);
        while (m.find()) {
            variables.add(m.group(1));
        }
        assertThat(variables).isEqualTo(environment(map(services, "nginx")).keySet());
        assertThat(String.valueOf(list(services.get("nginx"), "volumes")))
                .contains("./deploy/nginx/templates:/etc/nginx/templates");
    }

    @Test
    void ciInstallsNginxForTheEdgeTest() {
        assertThat(DeploymentModel.read(ROOT.resolve(".ci/run"))).containsPattern("apt-get install[^\\n]*nginx");
    }

    // ---- Prometheus alerts and Grafana ----

    @Test
    void grafanaProvisionsTheDashboardOnThePrometheusDatasource() {
        Map<String, Object> datasources =
                DeploymentModel.loadYaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> ds = map(list(datasources, "datasources").get(0));
        assertThat(ds.get("type")).isEqualTo("prometheus");
        Map<String, Object> prometheusService = map(services, "prometheus");
        assertThat(String.valueOf(ds.get("url"))).isEqualTo("http://prometheus:9090");
        assertThat(String.valueOf(prometheusService.get("command")))
                .contains("--config.file=/etc/prometheus/prometheus.yml");
        assertThat(String.valueOf(list(prometheusService, "volumes"))).contains("./deploy/prometheus:/etc/prometheus");

        Map<String, Object> providers =
                DeploymentModel.loadYaml(DEPLOY.resolve("grafana/provisioning/dashboards/realtime-voice.yml"));
        String dashboardsPath = String.valueOf(path(list(providers, "providers").get(0), "options", "path"));
        String grafanaVolumes = String.valueOf(list(services.get("grafana"), "volumes"));
        assertThat(grafanaVolumes)
                .contains("./deploy/grafana/dashboards:" + dashboardsPath)
                .contains("./deploy/grafana/provisioning:/etc/grafana/provisioning");

        JsonNode dashboard = StreamingClient.JSON.readTree(
                DeploymentModel.read(DEPLOY.resolve("grafana/dashboards/realtime-voice.json")));
        assertThat(dashboard.get("uid").asString()).isNotBlank();
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
            assertThat(panel.get("gridPos").get("w").asInt()).isBetween(1, 24);
            if (!"row".equals(panel.get("type").asString())) {
                assertThat(panel.get("datasource").get("uid").asString())
                        .as(panel.get("title").asString())
                        .isEqualTo(String.valueOf(ds.get("uid")));
                assertThat(panel.get("targets"))
                        .as(panel.get("title").asString())
                        .isNotEmpty();
                for (JsonNode target : panel.get("targets")) {
                    assertThat(DeploymentModel.selectors(target.get("expr").asString()))
                            .as(target.get("expr").asString())
                            .isNotEmpty();
                    queries++;
                }
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(15);
        assertThat(environment(map(services, "grafana")).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(dashboardsPath + "/realtime-voice.json");

        Map<String, Object> alerts = DeploymentModel.loadYaml(DEPLOY.resolve("prometheus/alerts.yml"));
        for (Object group : list(alerts, "groups")) {
            for (Object rule : list(group, "rules")) {
                assertThat(map(rule)).containsKeys("alert", "expr", "annotations");
                assertThat(DeploymentModel.selectors(String.valueOf(map(rule).get("expr"))))
                        .isNotEmpty();
            }
        }
    }

    // ---- deploy/k8s ----

    @Test
    void kubernetesManifestsMatchTheServices() throws IOException {
        Path k8s = DEPLOY.resolve("k8s");
        Map<String, Object> kustomization = DeploymentModel.loadYaml(k8s.resolve("kustomization.yaml"));
        List<String> resources =
                list(kustomization, "resources").stream().map(String::valueOf).toList();
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String resource : resources) {
            assertThat(k8s.resolve(resource)).exists();
            docs.addAll(DeploymentModel.loadAll(k8s.resolve(resource)));
        }
        try (var files = Files.list(k8s)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String name = f.getFileName().toString();
                for (Map<String, Object> doc : DeploymentModel.loadAll(f)) {
                    assertThat(doc).as(name).containsKey("apiVersion");
                    assertThat(doc).as(name).containsKey("kind");
                }
                if (!name.equals("kustomization.yaml") && !resources.contains(name)) {
                    assertThat(name)
                            .as("manifests not applied by kustomization.yaml must say they are optional")
                            .isEqualTo("ingest-hpa-connections.yaml");
                }
            }
        }
        // the Secret comes from kustomization.yaml's secretGenerator (KustomizeRenderTest checks the rendered one)
        for (Object generator : list(kustomization, "secretGenerator")) {
            Map<String, Object> stringData = new LinkedHashMap<>();
            for (Object literal : list(generator, "literals")) {
                String kv = String.valueOf(literal);
                stringData.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            docs.add(Map.of(
                    "apiVersion",
                    "v1",
                    "kind",
                    "Secret",
                    "metadata",
                    Map.of("name", map(generator).get("name")),
                    "stringData",
                    stringData));
        }
        Map<String, Object> config = only(docs, "ConfigMap");
        Map<String, Object> configData = map(config, "data");
        Map<String, Object> secretData = map(only(docs, "Secret"), "stringData");
        String configName = String.valueOf(path(config, "metadata", "name"));
        String secretName = String.valueOf(path(only(docs, "Secret"), "metadata", "name"));

        Map<String, Map<String, Object>> deployments = byName(docs, "Deployment");
        assertThat(deployments.keySet()).isEqualTo(Set.copyOf(DeploymentModel.SERVICES));
        Map<String, Map<String, Object>> k8sServices = byName(docs, "Service");
        for (String module : DeploymentModel.SERVICES) {
            Map<String, Object> deployment = deployments.get(module);
            Map<String, Object> pod = map(deployment, "spec", "template", "spec");
            Map<String, Object> container = map(list(pod, "containers").get(0));
            assertThat(String.valueOf(container.get("image"))).contains(module);
            assertThat(path(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
            assertThat(path(pod, "securityContext", "runAsUser"))
                    .as("the Dockerfile's USER")
                    .isEqualTo(10001);

            // environment: what the service needs, nothing it does not read, references that resolve
            Map<String, String> values = new LinkedHashMap<>();
            Set<String> read = DeploymentModel.environmentVariables(module).keySet();
            for (Object e : list(container, "env")) {
                Map<String, Object> env = map(e);
                String name = String.valueOf(env.get("name"));
                assertThat(read.contains(name) || DeploymentModel.JVM_VARIABLES.contains(name))
                        .as(module + " sets " + name + ", which it does not read")
                        .isTrue();
                Map<String, Object> cm = map(env, "valueFrom", "configMapKeyRef");
                Map<String, Object> secret = map(env, "valueFrom", "secretKeyRef");
                if (!cm.isEmpty()) {
                    assertThat(cm.get("name")).isEqualTo(configName);
                    assertThat(configData).as(module + " " + name).containsKey(String.valueOf(cm.get("key")));
                    values.put(name, String.valueOf(configData.get(String.valueOf(cm.get("key")))));
                } else if (!secret.isEmpty()) {
                    assertThat(secret.get("name")).isEqualTo(secretName);
                    assertThat(secretData).as(module + " " + name).containsKey(String.valueOf(secret.get("key")));
                    values.put(name, String.valueOf(secretData.get(String.valueOf(secret.get("key")))));
                } else if (env.containsKey("value")) {
                    values.put(name, String.valueOf(env.get("value")));
                } else {
                    assertThat(path(env, "valueFrom", "fieldRef", "fieldPath"))
                            .as(module + " " + name)
                            .isEqualTo("metadata.name");
                    values.put(name, "pod-name");
                }
            }
            assertThat(values.keySet()).as(module + " env").containsAll(DeploymentModel.requiredVariables(module));

            // port and probes
            int port = DeploymentModel.port(module).in(values);
            Map<String, Object> containerPort = map(list(container, "ports").get(0));
            assertThat(containerPort.get("containerPort"))
                    .as(module + " containerPort")
                    .isEqualTo(port);
            // actuator (probes, metrics) on the management port, listening on the pod IP
            int managementPort = DeploymentModel.managementPort(module).in(values);
            assertThat(managementPort).as(module + " management port").isNotEqualTo(port);
            assertThat(values.get("MANAGEMENT_ADDRESS"))
                    .as(module + " MANAGEMENT_ADDRESS")
                    .isEqualTo("0.0.0.0");
            Map<String, Object> managementContainerPort = list(container, "ports").stream()
                    .map(p -> map(p))
                    .filter(p -> Integer.valueOf(managementPort).equals(p.get("containerPort")))
                    .findFirst()
                    .orElseThrow();
            assertThat(path(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/port"))
                    .isEqualTo(String.valueOf(managementPort));
            assertThat(path(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/path"))
                    .isEqualTo("/actuator/prometheus");
            for (String[] probe : new String[][] {
                {"livenessProbe", "/actuator/health/liveness"},
                {"readinessProbe", "/actuator/health/readiness"},
                {"startupProbe", "/actuator/health/liveness"}
            }) {
                assertThat(path(container, probe[0], "httpGet", "path"))
                        .as(module + " " + probe[0])
                        .isEqualTo(probe[1]);
                assertThat(path(container, probe[0], "httpGet", "port"))
                        .as(module + " " + probe[0] + " port")
                        .isIn(managementContainerPort.get("name"), managementPort);
            }
            // graceful termination: preStop, then Spring's shutdown phases, within the grace period
            List<Object> preStop = list(container, "lifecycle", "preStop", "exec", "command");
            int sleep = Integer.parseInt(String.valueOf(preStop.get(preStop.size() - 1)));
            assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                    .as(module + " terminationGracePeriodSeconds")
                    .isGreaterThanOrEqualTo(sleep + DeploymentModel.shutdownPhaseSeconds(module) + 5);
            assertThat(String.valueOf(path(DeploymentModel.serviceConfig(module), "server", "shutdown")))
                    .as(module + " server.shutdown")
                    .isEqualTo("graceful");

            // a Service and a PodDisruptionBudget select the pods
            Map<String, Object> labels = map(deployment, "spec", "template", "metadata", "labels");
            Map<String, Object> service = k8sServices.get(module);
            assertThat(service).as("Service " + module).isNotNull();
            assertThat(labels).containsAllEntriesOf(map(service, "spec", "selector"));
            assertThat(path(list(service, "spec", "ports").get(0), "targetPort"))
                    .isIn(containerPort.get("name"), port);
            assertThat(path(list(service, "spec", "ports").get(0), "port")).isEqualTo(port);
            assertThat(docs.stream()
                            .filter(d -> "PodDisruptionBudget".equals(d.get("kind")))
                            .anyMatch(d -> labels.entrySet()
                                    .containsAll(map(d, "spec", "selector", "matchLabels")
                                            .entrySet())))
                    .as("PodDisruptionBudget for " + module)
                    .isTrue();
        }
        // ingest: unique node ids from the pod name, HPA
        assertThat(String.valueOf(list(deployments.get("ingest-service"), "spec", "template", "spec", "containers")))
                .contains("INGEST_NODE_ID")
                .contains("metadata.name");
        Map<String, Object> hpa = only(docs, "HorizontalPodAutoscaler");
        assertThat(path(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("ingest-service");
        assertThat((Integer) path(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(2);
        assertThat(DeploymentModel.loadAll(k8s.resolve("ingest-hpa-connections.yaml"))
                        .get(0))
                .extracting(d -> path(d, "spec", "scaleTargetRef", "name"))
                .isEqualTo("ingest-service");

        // workers: KEDA on the consumer lag of the group and topic the worker really uses
        Map<String, Object> scaled = only(docs, "ScaledObject");
        assertThat(path(scaled, "spec", "scaleTargetRef", "name")).isEqualTo("asr-worker");
        Map<String, Object> trigger = map(list(scaled, "spec", "triggers").get(0));
        assertThat(trigger.get("type")).isEqualTo("kafka");
        assertThat(path(trigger, "metadata", "topic")).isEqualTo(Topics.AUDIO);
        assertThat(path(trigger, "metadata", "consumerGroup")).isEqualTo(defaultOf("asr-worker", "ASR_WORKER_GROUP"));
        assertThat(String.valueOf(list(deployments.get("asr-worker"), "spec", "template", "spec", "containers")))
                .contains("name=" + path(trigger, "metadata", "bootstrapServersFromEnv"));
        assertThat((Integer) path(scaled, "spec", "maxReplicaCount"))
                .as("workers beyond the partitions idle")
                .isLessThanOrEqualTo(Integer.parseInt(String.valueOf(configData.get("ASR_TOPIC_PARTITIONS"))));

        // the Ingress: to the ingest Service's port, with WebSocket timeouts
        Map<String, Object> ingress = only(docs, "Ingress");
        int readTimeout = Integer.parseInt(String.valueOf(
                path(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-read-timeout")));
        assertThat(readTimeout).isGreaterThanOrEqualTo(Math.max(4 * heartbeatSeconds(), 120));
        assertThat(list(ingress, "spec", "tls")).isNotEmpty();
        Set<String> paths = new HashSet<>();
        for (Object rule : list(ingress, "spec", "rules")) {
            for (Object p : list(rule, "http", "paths")) {
                paths.add(String.valueOf(map(p).get("path")));
                Map<String, Object> backend = map(p, "backend", "service");
                assertThat(backend.get("name")).isEqualTo("ingest-service");
                assertThat(String.valueOf(list(k8sServices.get("ingest-service"), "spec", "ports")))
                        .contains("name=" + path(backend, "port", "name"));
            }
        }
        assertThat(paths).contains("/api/", "/health");
        assertThat(configData.get("RESULT_SERVICE_URL"))
                .isEqualTo("http://result-service:"
                        + DeploymentModel.port("result-service").defaultValue());
        assertThat(Integer.parseInt(String.valueOf(configData.get("KAFKA_REPLICATION_FACTOR"))))
                .isEqualTo(3);
    }

    // ---- helpers ----

    /** compose service name -> module, for the services built from deploy/Dockerfile. */
    static Map<String, String> javaServices(Map<String, Object> services) {
        Map<String, String> out = new LinkedHashMap<>();
        services.forEach((name, s) -> {
            Map<String, Object> build = map(s, "build");
            if ("deploy/Dockerfile".equals(build.get("dockerfile"))) {
                out.put(name, String.valueOf(map(build, "args").get("SERVICE")));
            }
        });
        return out;
    }

    private static List<String> serviceOf(Map<String, String> built, String module) {
        return built.entrySet().stream()
                .filter(e -> e.getValue().equals(module))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static List<String> brokers(Map<String, Object> services) {
        return services.entrySet().stream()
                .filter(e -> String.valueOf(map(e.getValue()).get("image")).startsWith("apache/kafka"))
                .map(Map.Entry::getKey)
                .toList();
    }

    private Map<String, String> dependsOn(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        Object raw = map(services, service).get("depends_on");
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(map(v).get("condition"))));
        } else if (raw instanceof List<?> l) {
            l.forEach(k -> out.put(String.valueOf(k), "service_started"));
        }
        return out;
    }

    private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found =
                docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> docs, String kind) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        docs.stream()
                .filter(d -> kind.equals(d.get("kind")))
                .forEach(d -> out.put(String.valueOf(path(d, "metadata", "name")), d));
        return out;
    }

    /** The default of ${NAME:default} in a module's yml. */
    private static String defaultOf(String module, String variable) {
        Matcher m =
                Pattern.compile("\\$\\{" + variable + ":([^}]*)}").matcher(DeploymentModel.serviceConfigText(module));
        assertThat(m.find()).as(module + " reads " + variable).isTrue();
        return m.group(1);
    }

    private static int heartbeatSeconds() {
        return seconds(defaultOf("ingest-service", "INGEST_HEARTBEAT_INTERVAL"));
    }

    private static String rootVersion() {
        Matcher m = Pattern.compile(
                        "</parent>\\s*<groupId>[^<]+</groupId>\\s*<artifactId>[^<]+</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(DeploymentModel.read(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** The body of the first {...} block after the given header. */
    private static String block(String conf, String header) {
        int start = conf.indexOf(header);
        assertThat(start).as("nginx block " + header).isNotNegative();
        int open = conf.indexOf('{', start);
        int depth = 0;
        for (int i = open; i < conf.length(); i++) {
            char c = conf.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return conf.substring(open + 1, i);
            }
        }
        throw new AssertionError("unbalanced block " + header);
    }

    /** The server { } block that contains the given text. */
    private static String serverWith(String conf, String text) {
        int from = 0;
        while (true) {
            int start = conf.indexOf("server {", from);
            assertThat(start).as("a server block with " + text).isNotNegative();
            String body = block(conf.substring(start), "server {");
            if (body.contains(text)) {
                return body;
            }
            from = start + 1;
        }
    }

    private static String directive(String block, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + name + "\\s+([^;]+);").matcher(block);
        assertThat(m.find()).as("directive " + name).isTrue();
        return m.group(1).trim();
    }

    /** "300s", "5m", "25s", "45s", "300" -> seconds. */
    static int seconds(String value) {
        Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?").matcher(value.trim());
        assertThat(m.matches()).as("duration " + value).isTrue();
        int n = Integer.parseInt(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return n / 1000;
            case "m":
                return n * 60;
            case "h":
                return n * 3600;
            default:
                return n;
        }
    }

    private static int megabytes(String value) {
        Matcher m = Pattern.compile("(\\d+)([kKmMgG])?").matcher(value.trim());
        assertThat(m.matches()).isTrue();
        int n = Integer.parseInt(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase();
        return unit.equals("g") ? n * 1024 : unit.equals("m") ? n : 0;
    }
}
