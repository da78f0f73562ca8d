package com.realtimevoice.local;

import static com.realtimevoice.local.DeploymentModel.list;
import static com.realtimevoice.local.DeploymentModel.map;
import static com.realtimevoice.local.DeploymentModel.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.realtimevoice.auth.PlaceholderSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s as kubectl applies it: rendered with {@code kubectl kustomize} (skipped where kubectl is missing) and
 * checked offline. kubectl validates schemas only against a cluster's API server, so the checks are structural:
 * known kinds and apiVersions, valid names, every reference (ConfigMap, the generated Secret, probe ports,
 * scrape ports) resolving, the images the kustomization names, and the sizing rules.
 */
class KustomizeRenderTest {

    /** The kinds deploy/k8s ships, each with the one apiVersion current clusters serve. */
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Namespace",
            "v1",
            "ConfigMap",
            "v1",
            "Secret",
            "v1",
            "Service",
            "v1",
            "Deployment",
            "apps/v1",
            "PodDisruptionBudget",
            "policy/v1",
            "HorizontalPodAutoscaler",
            "autoscaling/v2",
            "ScaledObject",
            "keda.sh/v1alpha1",
            "Ingress",
            "networking.k8s.io/v1");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private static List<Map<String, Object>> docs;
    private static Map<String, Object> kustomization;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void render() throws Exception {
        Path k8s = DeploymentModel.root().resolve("deploy/k8s");
        kustomization = DeploymentModel.loadYaml(k8s.resolve("kustomization.yaml"));
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", k8s.toString())
                    .redirectErrorStream(false)
                    .start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "kubectl is not installed: " + e.getMessage());
            return;
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize: %s", err).isZero();
        docs = new ArrayList<>();
        for (Object doc : DeploymentModel.yaml().loadAll(new String(out, StandardCharsets.UTF_8))) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
    }

    @Test
    void everyObjectHasAKnownKindApiVersionAndAValidName() {
        assertThat(docs.stream().map(d -> String.valueOf(d.get("kind"))).distinct())
                .as("every kind shipped is rendered")
                .containsExactlyInAnyOrderElementsOf(API_VERSIONS.keySet());
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> doc : docs) {
            String kind = String.valueOf(doc.get("kind"));
            String name = String.valueOf(path(doc, "metadata", "name"));
            assertThat(API_VERSIONS).as("kind of %s", name).containsKey(kind);
            assertThat(doc.get("apiVersion")).as(kind + " " + name).isEqualTo(API_VERSIONS.get(kind));
            assertThat(name)
                    .as(kind + " name")
                    .matches(kind.equals("Service") || kind.equals("Namespace") ? DNS_LABEL : DNS_SUBDOMAIN)
                    .hasSizeLessThanOrEqualTo(kind.equals("Service") || kind.equals("Namespace") ? 63 : 253);
            if (!kind.equals("Namespace")) {
                assertThat(path(doc, "metadata", "namespace"))
                        .as(kind + " " + name)
                        .isEqualTo(kustomization.get("namespace"));
            }
            assertThat(seen.add(kind + "/" + name))
                    .as("duplicate " + kind + "/" + name)
                    .isTrue();
        }
    }

    @Test
    void containersUseTheImagesTheKustomizationNamesAndReferencesResolve() {
        Map<String, String> images = new HashMap<>();
        for (Object image : list(kustomization, "images")) {
            images.put(
                    String.valueOf(map(image).get("name")),
                    String.valueOf(map(image).get("newTag")));
        }
        assertThat(images.keySet())
                .as("images: block")
                .containsExactlyInAnyOrderElementsOf(DeploymentModel.SERVICES.stream()
                        .map(s -> "realtime-voice/" + s)
                        .toList());
        Map<String, Map<String, Object>> configMaps = byName("ConfigMap");
        Map<String, Map<String, Object>> secrets = byName("Secret");
        for (Map<String, Object> deployment : byName("Deployment").values()) {
            String module = String.valueOf(path(deployment, "metadata", "name"));
            Map<String, Object> template = map(deployment, "spec", "template");
            for (Object c : list(template, "spec", "containers")) {
                Map<String, Object> container = map(c);
                String image = String.valueOf(container.get("image"));
                assertThat(image)
                        .as(module + " image")
                        .isEqualTo("realtime-voice/" + module + ":" + images.get("realtime-voice/" + module));
                Set<Object> ports = new HashSet<>();
                for (Object port : list(container, "ports")) {
                    ports.add(map(port).get("name"));
                    ports.add(map(port).get("containerPort"));
                }
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    assertThat(path(container, probe, "httpGet", "port"))
                            .as(module + " " + probe + " port")
                            .isIn(ports);
                }
                Object scrapePort = path(template, "metadata", "annotations", "prometheus.io/port");
                assertThat(path(template, "metadata", "annotations", "prometheus.io/scrape"))
                        .as(module)
                        .isEqualTo("true");
                assertThat(Integer.valueOf(String.valueOf(scrapePort)))
                        .as(module + " prometheus.io/port is a container port")
                        .isIn(ports);
                for (Object e : list(container, "env")) {
                    Map<String, Object> cm = map(e, "valueFrom", "configMapKeyRef");
                    Map<String, Object> secret = map(e, "valueFrom", "secretKeyRef");
                    if (!cm.isEmpty()) {
                        assertThat(map(configMaps.get(String.valueOf(cm.get("name"))), "data"))
                                .as(module + " " + map(e).get("name"))
                                .containsKey(String.valueOf(cm.get("key")));
                    }
                    if (!secret.isEmpty()) {
                        assertThat(secrets)
                                .as("the generated Secret, by its hashed name")
                                .containsKey(String.valueOf(secret.get("name")));
                        assertThat(map(secrets.get(String.valueOf(secret.get("name"))), "data"))
                                .containsKey(String.valueOf(secret.get("key")));
                    }
                }
            }
        }
    }

    /** Applied as shipped, the services refuse to start: the Secret's JWT key is a known placeholder (issue 20). */
    @Test
    void theShippedSecretIsAPlaceholderTheServicesRefuse() {
        Map<String, Object> secret = byName("Secret").values().iterator().next();
        String jwt = new String(
                Base64.getDecoder().decode(String.valueOf(map(secret, "data").get("AUTH_JWT_SECRET"))),
                StandardCharsets.UTF_8);
        assertThat(PlaceholderSecrets.markerIn(jwt)).as(jwt).isNotNull();
        assertThat(jwt.length())
                .as("refused for what it is, not for its length")
                .isGreaterThanOrEqualTo(32);
    }

    @Test
    void kafkaBootstrapFollowsStrimziNaming() {
        String bootstrap = String.valueOf(
                map(byName("ConfigMap").values().iterator().next(), "data").get("KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(bootstrap).matches("[a-z0-9-]+-kafka-bootstrap(\\.[a-z0-9-]+)*:9092");
    }

    /** KEDA's most workers x listener threads each <= partitions: a thread beyond them has nothing to consume. */
    @Test
    void workerThreadsNeverOutnumberThePartitions() {
        Map<String, Object> scaled = byName("ScaledObject").get("asr-worker");
        Map<String, Object> config = map(byName("ConfigMap").values().iterator().next(), "data");
        int maxReplicas = (Integer) path(scaled, "spec", "maxReplicaCount");
        int threads = Integer.parseInt(String.valueOf(config.get("ASR_WORKER_CONCURRENCY")));
        int partitions = Integer.parseInt(String.valueOf(config.get("ASR_TOPIC_PARTITIONS")));
        assertThat(maxReplicas * threads)
                .as("maxReplicaCount %d x ASR_WORKER_CONCURRENCY %d", maxReplicas, threads)
                .isLessThanOrEqualTo(partitions);
        assertThat((Integer) path(scaled, "spec", "minReplicaCount")).isLessThanOrEqualTo(maxReplicas);
    }

    private static Map<String, Map<String, Object>> byName(String kind) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        docs.stream()
                .filter(d -> kind.equals(d.get("kind")))
                .forEach(d -> out.put(String.valueOf(path(d, "metadata", "name")), d));
        return out;
    }
}
