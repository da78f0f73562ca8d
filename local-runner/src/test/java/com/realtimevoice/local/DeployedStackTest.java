package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.kafka.KafkaClientMetricsConfiguration.RefreshedConsumerMetrics;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The deployment artefacts against the running system (the embedded default with two ingest nodes, as
 * docker-compose.yml has them): after a real session, every metric the Grafana dashboard and the Prometheus
 * alerts query is served by the service its job scrapes; the shipped nginx config, rendered like the nginx image
 * renders it, carries wss:// sessions to both ingest nodes; the image's health check script passes on every
 * service; and the trace context travels with the session's records from service to service.
 */
class DeployedStackTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Path ROOT = DeploymentModel.root();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    private PipelineScenarios.Streamed session;

    @BeforeAll
    void startClusterAndRunASession() throws Exception {
        start(settings(DATABASE).withNodes(2, 1, 1));
        session = scenarios.stream(0, scenarios.devToken("operator"), "sentences.wav", 4.0);
        assertThat(session.finals()).isNotEmpty();
    }

    // ---- metrics ----

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsServed() throws Exception {
        Map<String, List<Scrape>> byJob = new LinkedHashMap<>();
        byJob.put(
                "ingest-service",
                List.of(
                        scrape(cluster.ingestNodes().get(0)),
                        scrape(cluster.ingestNodes().get(1))));
        byJob.put("asr-worker", List.of(scrape(cluster.workers().get(0))));
        byJob.put("result-service", List.of(scrape(cluster.resultServices().get(0))));

        List<String> queries = new ArrayList<>(DeploymentModel.dashboardQueries(
                jsonAsMap(ROOT.resolve("deploy/grafana/dashboards/realtime-voice.json"))));
        int dashboardQueries = queries.size();
        queries.addAll(
                DeploymentModel.alertQueries(DeploymentModel.loadYaml(ROOT.resolve("deploy/prometheus/alerts.yml"))));
        assertThat(dashboardQueries).isGreaterThan(10);

        List<String> problems = new ArrayList<>();
        for (String query : queries) {
            Set<String> labelsSeen = new HashSet<>(Set.of("le", "job", "instance"));
            for (DeploymentModel.Selector selector : DeploymentModel.selectors(query)) {
                if (selector.metric().equals("up")) {
                    labelsSeen.add("service"); // prometheus.yml (and the k8s relabeling in docs) give targets `service`
                    continue; // made by Prometheus for every target, not by a service
                }
                List<String> jobs = jobsOf(selector, byJob.keySet());
                List<Scrape> candidates =
                        jobs.stream().flatMap(j -> byJob.get(j).stream()).toList();
                List<Scrape> serving = candidates.stream()
                        .filter(s -> s.has(selector.metric()))
                        .toList();
                if (serving.isEmpty()) {
                    problems.add(selector.metric() + " (jobs " + jobs + ") in: " + query);
                    continue;
                }
                serving.forEach(s -> labelsSeen.addAll(s.labels(selector.metric())));
                selector.matchers().forEach((label, matcher) -> {
                    if (label.equals("job") || label.equals("instance")) {
                        return;
                    }
                    boolean ok = serving.stream()
                            .anyMatch(s -> s.hasLabel(selector.metric(), label, matcher[0], matcher[1]));
                    if (!ok) {
                        problems.add(selector.metric() + "{" + label + matcher[0] + "\"" + matcher[1]
                                + "\"} has no such series in: " + query);
                    }
                });
            }
            for (String label : DeploymentModel.groupingLabels(query)) {
                if (!labelsSeen.contains(label)) {
                    problems.add("label '" + label + "' of by (...) is on none of the metrics of: " + query);
                }
            }
        }
        assertThat(problems)
                .as("dashboard/alert queries that would show no data")
                .isEmpty();

        // The numbers a real session must have moved.
        Scrape ingest = byJob.get("ingest-service").get(0);
        Scrape worker = byJob.get("asr-worker").get(0);
        Scrape result = byJob.get("result-service").get(0);
        // Every stream here is 16 kHz 16-bit PCM: seconds = bytes / 32000, and at least the session's audio.
        double seconds = 0;
        double bytes = 0;
        for (Scrape node : byJob.get("ingest-service")) {
            seconds += node.sum("ingest_audio_seconds_total");
            bytes += node.sum("ingest_audio_bytes_total");
        }
        assertThat(seconds)
                .as("seconds of audio received")
                .isCloseTo(bytes / 2 / SpeechFixtures.SAMPLE_RATE, org.assertj.core.data.Offset.offset(0.01))
                .isGreaterThanOrEqualTo(
                        SpeechFixtures.pcm("sentences.wav").length / 2.0 / SpeechFixtures.SAMPLE_RATE - 0.01);
        assertThat(ingest.sum("ingest_sessions_resumed_total")).isZero();
        assertThat(ingest.sum("ingest_sessions_started_total")).isGreaterThanOrEqualTo(1);
        assertThat(ingest.sum("ingest_delivery_hop_latency_seconds_count")).isPositive();
        assertThat(ingest.has("ingest_delivery_hop_latency_seconds_bucket"))
                .as("delivery hop is a histogram")
                .isTrue();
        assertThat(worker.sum("asr_worker_hop_latency_seconds_count"))
                .as("ingest -> worker hop")
                .isPositive();
        assertThat(worker.sum("asr_worker_engine_real_time_factor_count")).isPositive();
        assertThat(result.sum("result_hop_latency_seconds_count"))
                .as("worker -> result hop")
                .isPositive();
        assertThat(result.has("result_db_write_seconds_bucket"))
                .as("db writes are a histogram")
                .isTrue();
        for (List<Scrape> scrapes : byJob.values()) {
            Scrape s = scrapes.get(0);
            // the Kafka clients' own metrics (KafkaClientMetricsConfiguration, kafka-support)
            assertThat(s.has("kafka_consumer_fetch_manager_records_lag_max"))
                    .as("consumer lag of " + s.name)
                    .isTrue();
            assertThat(s.has("kafka_producer_record_send_total"))
                    .as("producer metrics of " + s.name)
                    .isTrue();
            // Observation on KafkaTemplate and the listener containers
            assertThat(s.has("spring_kafka_template_seconds_count"))
                    .as("template observation of " + s.name)
                    .isTrue();
            assertThat(s.has("spring_kafka_listener_seconds_count"))
                    .as("listener observation of " + s.name)
                    .isTrue();
        }
    }

    /**
     * Each Kafka client series once (issue 18): the consumer also tags its per-topic metrics with the topic's name with
     * dots turned into underscores (KIP-1109, deprecated), so lag and rates showed twice, as asr.audio.v1 and asr_audio_v1.
     */
    @Test
    void kafkaTopicMetricsAppearOnceWithTheTopicsName() throws Exception {
        // a client's new Kafka metrics (the per-topic ones appear after its first fetch) are bound at the next refresh:
        // every KAFKA_METRICS_REFRESH (10 s), not Micrometer's minute, which Boot's own binding kept
        for (ConfigurableApplicationContext service : List.of(
                cluster.ingestNodes().get(0),
                cluster.workers().get(0),
                cluster.resultServices().get(0))) {
            for (DefaultKafkaConsumerFactory<?, ?> factory :
                    service.getBeansOfType(DefaultKafkaConsumerFactory.class).values()) {
                List<? extends ConsumerFactory.Listener<?, ?>> listeners = factory.getListeners();
                assertThat(listeners)
                        .as("one binding of the consumers' metrics in %s", service.getId())
                        .singleElement()
                        .isInstanceOf(RefreshedConsumerMetrics.class);
                assertThat(((RefreshedConsumerMetrics<?, ?>) listeners.get(0)).refresh())
                        .as("refreshed as shipped")
                        .isEqualTo(Duration.ofSeconds(10));
            }
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        List<Scrape> scrapes;
        do {
            Thread.sleep(1000);
            scrapes = List.of(
                    scrape(cluster.ingestNodes().get(0)),
                    scrape(cluster.workers().get(0)),
                    scrape(cluster.resultServices().get(0)));
        } while (kafkaSeriesOfTopic(scrapes.get(1), "asr[._]audio[._]v1").isEmpty() && System.nanoTime() < deadline);
        List<String> underscored = new ArrayList<>();
        for (Scrape s : scrapes) {
            underscored.addAll(kafkaSeriesOfTopic(s, "asr_[^\"]*"));
        }
        assertThat(underscored)
                .as("Kafka metrics tagged with the underscored topic name")
                .isEmpty();
        assertThat(kafkaSeriesOfTopic(scrapes.get(1), Pattern.quote(Topics.AUDIO)))
                .as("the worker's consumer metrics carry the topic's own name")
                .isNotEmpty();
    }

    private static List<String> kafkaSeriesOfTopic(Scrape s, String topicRegex) {
        Pattern topic = Pattern.compile("[{,]topic=\"" + topicRegex + "\"");
        List<String> out = new ArrayList<>();
        s.samples.forEach((metric, lines) -> lines.stream()
                .filter(l ->
                        metric.startsWith("kafka_consumer") && topic.matcher(l).find())
                .forEach(out::add));
        return out;
    }

    // ---- tracing ----

    /** Every record of the session carries a W3C traceparent, and the results continue the traces of their inputs. */
    @Test
    void traceContextTravelsWithTheSessionFromServiceToService() {
        String deliveryTopic =
                cluster.ingestNodes().get(0).getBean(IngestNode.class).deliveryTopic();
        Map<String, List<ConsumerRecord<String, byte[]>>> records =
                readSession(session.sessionId(), List.of(Topics.AUDIO, Topics.TRANSCRIPTS, deliveryTopic));
        Map<String, Set<String>> traces = new HashMap<>();
        records.forEach((topic, list) -> {
            assertThat(list).as("records of the session on " + topic).isNotEmpty();
            for (ConsumerRecord<String, byte[]> r : list) {
                assertThat(traceId(r))
                        .as(topic + " " + EventRecords.header(r.headers(), EventHeaders.TYPE) + " traceparent")
                        .isNotNull();
                traces.computeIfAbsent(topic, t -> new HashSet<>()).add(traceId(r));
            }
        });
        // Chunks are not observed one by one at the ingest node: they carry their session's start trace.
        List<String> chunkTraces = records.get(Topics.AUDIO).stream()
                .filter(r -> "audio.chunk".equals(EventRecords.header(r.headers(), EventHeaders.TYPE)))
                .map(DeployedStackTest::traceId)
                .distinct()
                .toList();
        String startTrace = records.get(Topics.AUDIO).stream()
                .filter(r -> "session.started".equals(EventRecords.header(r.headers(), EventHeaders.TYPE)))
                .map(DeployedStackTest::traceId)
                .findFirst()
                .orElseThrow();
        assertThat(chunkTraces)
                .as("the session's chunks continue its start's trace")
                .containsExactly(startTrace);
        // A final is produced while the worker handles an audio record, and delivered while result-service
        // handles the final: each continues the trace of the record it came from.
        for (ConsumerRecord<String, byte[]> fin : finals(records.get(Topics.TRANSCRIPTS))) {
            assertThat(traces.get(Topics.AUDIO))
                    .as("final's trace continues an audio record's")
                    .contains(traceId(fin));
        }
        Map<String, String> storedFinalTraces = finals(records.get(Topics.TRANSCRIPTS)).stream()
                .collect(Collectors.toMap(
                        r -> new String(r.value(), StandardCharsets.UTF_8).replaceAll(".*\"index\":(\\d+).*", "$1"),
                        DeployedStackTest::traceId,
                        (a, b) -> b));
        List<ConsumerRecord<String, byte[]>> delivered = finals(records.get(deliveryTopic));
        assertThat(delivered).isNotEmpty();
        for (ConsumerRecord<String, byte[]> fin : delivered) {
            String index = new String(fin.value(), StandardCharsets.UTF_8).replaceAll(".*\"index\":(\\d+).*", "$1");
            assertThat(traceId(fin))
                    .as("delivered final %s continues the stored final's trace", index)
                    .isEqualTo(storedFinalTraces.get(index));
        }
    }

    // ---- the image's health check ----

    @Test
    void imageHealthCheckPassesOnEveryServiceAndFailsOnAClosedPort() throws Exception {
        Map<String, ConfigurableApplicationContext> services = Map.of(
                "ingest-service", cluster.ingestNodes().get(0),
                "asr-worker", cluster.workers().get(0),
                "result-service", cluster.resultServices().get(0));
        for (Map.Entry<String, ConfigurableApplicationContext> e : services.entrySet()) {
            int port = LocalCluster.managementPort(e.getValue());
            String variable = DeploymentModel.managementPort(e.getKey()).variable();
            assertThat(healthcheck(e.getKey(), variable, port))
                    .as("healthcheck.sh on " + e.getKey())
                    .isZero();
        }
        assertThat(healthcheck("ingest-service", "INGEST_MANAGEMENT_PORT", freePort()))
                .as("nothing listening")
                .isEqualTo(1);
        assertThat(healthcheck("ingest-service", "INGEST_MANAGEMENT_PORT", cluster.ingestPort(0)))
                .as("the service port has no probes")
                .isEqualTo(1);
    }

    // ---- nginx ----

    @Test
    void shippedNginxConfigCarriesWssSessionsThroughTheUpstreamName() throws Exception {
        // the upstream is a name, as in compose, answered by a DNS server of the test's own
        try (TinyDns dns = new TinyDns()) {
            dns.set("ingest.rv-test", "127.0.0.1");
            try (ShippedNginx edge = ShippedNginx.start("ingest.rv-test:" + cluster.ingestPort(0), dns.address())) {
                carriesWssSessions(edge);
                assertThat(dns.queries.get())
                        .as("nginx asked DNS for the upstream name")
                        .isPositive();
            }
        }
    }

    private void carriesWssSessions(ShippedNginx edge) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(edge.ssl)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String base = edge.base();

        HttpResponse<String> health = client.send(
                HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"service\":\"ingest-service\"");
        HttpResponse<String> redirect = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + edge.http + "/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).startsWith("https://"));
        // the demo page and its scripts are public, metrics are not
        for (String page : List.of("/", "/demo.js", "/pcm-worklet.js", "/watch.html", "/watch.js")) {
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create(base + page)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(page).isEqualTo(200);
        }
        for (String path : List.of(
                "/actuator",
                "/actuator/prometheus",
                "/actuator;x/prometheus",
                "/%61ctuator/health",
                "//actuator",
                "/api/../actuator")) {
            HttpResponse<String> actuator = client.send(
                    HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(actuator.statusCode())
                    .as("metrics are not public: " + path)
                    .isEqualTo(404);
            assertThat(actuator.body())
                    .as(path)
                    .contains("\"code\":\"NOT_FOUND\"")
                    .doesNotContain("jvm_");
        }
        HttpResponse<String> notFound = client.send(
                HttpRequest.newBuilder(URI.create(base + "/api/realtime-voice/streem"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body())
                .as("the node's JSON 404 with its hint passes through")
                .contains("/api/realtime-voice/stream");

        // Two sockets open at once through the edge.
        String token = scenarios.devToken("edge-user");
        String url = "wss://localhost:" + edge.https + "/api/realtime-voice/stream";
        double before = settledConnections(0);
        try (Wss speaking = Wss.connect(client, url, token);
                Wss quiet = Wss.connect(client, url, token)) {
            assertThat(settledConnections(0) - before).isEqualTo(2);
            quiet.send("{\"type\":\"ping\"}");
            quiet.await("pong");

            speaking.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000}");
            String sessionId = speaking.await("started").get("sessionId").asString();
            // live captions through the edge: the link names the edge (wss, its host and port), and works there
            HttpResponse<String> link = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + sessionId + "/watchers"))
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(link.statusCode()).as(link.body()).isEqualTo(200);
            String watchUrl =
                    StreamingClient.JSON.readTree(link.body()).get("url").asString();
            assertThat(watchUrl).startsWith("wss://localhost:" + edge.https + "/api/realtime-voice/watch?token=");
            Wss watching = Wss.connect(client, watchUrl, "unused");
            byte[] pcm = SpeechFixtures.pcm("weather.wav");
            for (int offset = 0; offset < pcm.length; offset += SpeechFixtures.CHUNK_BYTES) {
                speaking.sendAudio(
                        Arrays.copyOfRange(pcm, offset, Math.min(pcm.length, offset + SpeechFixtures.CHUNK_BYTES)));
            }
            speaking.send("{\"type\":\"end\"}");
            JsonNode completed = speaking.await("completed");
            assertThat(completed.get("sessionId").asString()).isEqualTo(sessionId);
            assertThat(WordErrorRate.of(
                            SpeechFixtures.reference("weather.wav"),
                            completed.get("text").asString()))
                    .as(completed.toString())
                    .isLessThanOrEqualTo(PipelineScenarios.MAX_WER);
            assertThat(speaking.received("error")).isEmpty();
            assertThat(watching.await("completed").get("text").asString())
                    .isEqualTo(completed.get("text").asString());
            assertThat(watching.received("final").stream()
                            .map(f -> f.get("index").asInt())
                            .toList())
                    .isEqualTo(speaking.received("final").stream()
                            .map(f -> f.get("index").asInt())
                            .distinct()
                            .toList());
            watching.close();

            quiet.send("{\"type\":\"start\"}");
            quiet.await("started");
            quiet.send("{\"type\":\"end\"}");
            assertThat(quiet.await("completed").get("segments").asInt()).isZero();
        }
        // nginx logs an upgraded connection when it ends, just after the close handshake
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!edge.accessLog().contains("GET /api/realtime-voice/stream") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(edge.accessLog()).contains("GET /api/realtime-voice/stream").contains(" 101 ");
    }

    // ---- helpers ----

    /** One service's /actuator/prometheus (on its management port), by sample name. */
    private static final class Scrape {
        final String name;
        final Map<String, List<String>> samples = new HashMap<>();

        Scrape(String name, String body) {
            this.name = name;
            for (String line : body.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.indexOf(' ');
                int end = brace >= 0 && brace < space ? brace : space;
                samples.computeIfAbsent(line.substring(0, end), k -> new ArrayList<>())
                        .add(line);
            }
        }

        boolean has(String metric) {
            return samples.containsKey(metric);
        }

        Set<String> labels(String metric) {
            Set<String> labels = new HashSet<>();
            Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"")
                    .matcher(String.join("\n", samples.getOrDefault(metric, List.of())));
            while (m.find()) {
                labels.add(m.group(1));
            }
            return labels;
        }

        boolean hasLabel(String metric, String label, String op, String value) {
            Pattern p = Pattern.compile("[{,]" + Pattern.quote(label) + "=\"([^\"]*)\"");
            for (String line : samples.getOrDefault(metric, List.of())) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    String actual = m.group(1);
                    boolean matches = matches(op, actual, value);
                    if (matches) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean matches(String op, String actual, String value) {
            if (op.equals("=")) {
                return actual.equals(value);
            } else if (op.equals("!=")) {
                return !actual.equals(value);
            } else if (op.equals("=~")) {
                return actual.matches(value);
            }
            return !actual.matches(value);
        }

        double sum(String metric) {
            return samples.getOrDefault(metric, List.of()).stream()
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        }
    }

    private static Scrape scrape(ConfigurableApplicationContext ctx) throws Exception {
        int port = LocalCluster.managementPort(ctx); // where Prometheus scrapes
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Scrape(ctx.getId(), r.body());
    }

    /** The jobs a selector's job matcher names, or every job. */
    private static List<String> jobsOf(DeploymentModel.Selector selector, Set<String> jobs) {
        String[] m = selector.matchers().get("job");
        if (m == null) {
            return List.copyOf(jobs);
        }
        return jobs.stream()
                .filter(j -> m[0].equals("=") ? j.equals(m[1]) : m[0].equals("=~") ? j.matches(m[1]) : !j.equals(m[1]))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonAsMap(Path file) throws IOException {
        return StreamingClient.JSON.readValue(Files.readString(file), Map.class);
    }

    /**
     * The node's open-connection gauge once it holds still: the server counts a socket when its handshake is done on
     * its side, which can be just after the client's connect returns, and a socket of an earlier test may still be
     * closing (CI once read +1 for two sockets).
     */
    private double settledConnections(int node) throws InterruptedException {
        double last = connections(node);
        for (int i = 0; i < 50; i++) {
            Thread.sleep(100);
            double now = connections(node);
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private double connections(int node) {
        return cluster.ingestNodes()
                .get(node)
                .getBean(MeterRegistry.class)
                .get("ingest.connections")
                .gauge()
                .value();
    }

    private Map<String, List<ConsumerRecord<String, byte[]>>> readSession(String sessionId, List<String> topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "trace-check-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<ConsumerRecord<String, byte[]>>> out = new LinkedHashMap<>();
        topics.forEach(t -> out.put(t, new ArrayList<>()));
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (sessionId.equals(r.key())) {
                        out.get(r.topic()).add(r);
                    }
                }
            }
        }
        return out;
    }

    private static List<ConsumerRecord<String, byte[]>> finals(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream()
                .filter(r -> "transcript.final".equals(EventRecords.header(r.headers(), EventHeaders.TYPE)))
                .toList();
    }

    private static String traceId(ConsumerRecord<String, byte[]> record) {
        Header h = record.headers().lastHeader("traceparent");
        if (h == null) {
            return null;
        }
        Matcher m = TRACEPARENT.matcher(new String(h.value(), StandardCharsets.UTF_8));
        return m.matches() ? m.group(1) : null;
    }

    private static int healthcheck(String service, String portVariable, int port) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder("bash", ROOT.resolve("deploy/healthcheck.sh").toString()).redirectErrorStream(true);
        pb.environment().put("SERVICE", service);
        pb.environment().put(portVariable, String.valueOf(port));
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A minimal client of the contract over wss:// with the given HttpClient (and so its SSLContext). */
    private static final class Wss implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
        private final List<JsonNode> all = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private WebSocket socket;

        static Wss connect(HttpClient client, String url, String token) {
            Wss wss = new Wss();
            wss.socket = client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(url), wss)
                    .join();
            return wss;
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        void sendAudio(byte[] pcm) {
            socket.sendBinary(ByteBuffer.wrap(pcm), true).join();
        }

        JsonNode await(String type) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode m = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError("no '" + type + "' within 60 s; received " + received(null));
                }
                if (type.equals(m.path("type").asString())) {
                    return m;
                }
            }
        }

        synchronized List<JsonNode> received(String type) {
            return all.stream()
                    .filter(m -> type == null || type.equals(m.path("type").asString()))
                    .toList();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonNode node = StreamingClient.JSON.readTree(text.toString());
                text.setLength(0);
                synchronized (this) {
                    all.add(node);
                }
                inbox.add(node);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null)
                    .join();
        }
    }
}
