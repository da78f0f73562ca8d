package com.realtimevoice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The load generator, the baseline and the bench engine, end to end in a few seconds: a handful of real-speech
 * sessions against the embedded pipeline (Vosk) and against the direct-engine baseline, compared in one report;
 * then bench-echo through both. Keeps the tools from rotting; the real measurements are in docs/performance.md.
 */
class LoadSmokeTest {

    static LocalCluster cluster;
    static ConfigurableApplicationContext baseline;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(LocalCluster.Settings.defaults()
                        .withRandomPorts()
                        .withProperties(Map.of(
                                "ASR_BENCH_ENGINE_ENABLED", "true",
                                "management.metrics.distribution.percentiles-histogram.result.db.write", "true",
                                "management.metrics.distribution.percentiles-histogram.ingest.delivery.hop.latency",
                                        "true")))
                .start();
        baseline = BaselineServer.start(0, "vosk");
    }

    @AfterAll
    static void stop() {
        if (baseline != null) {
            baseline.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void pipelineAndBaselineSideBySideWithVosk() throws Exception {
        JsonNode report = run("vosk", List.of("time.wav", "weather.wav"));
        for (String target : List.of("pipeline", "baseline")) {
            JsonNode t = report.path("targets").path(target);
            assertThat(t.path("sessionsFailed").asInt())
                    .as(target + " failed sessions: " + t)
                    .isZero();
            assertThat(t.path("sessionsOk").asInt()).as(target).isGreaterThanOrEqualTo(3);
            assertThat(t.path("finalLatencyMs").path("count").asInt())
                    .as(target)
                    .isPositive();
            assertThat(t.path("firstPartialMs").path("count").asInt())
                    .as(target)
                    .isPositive();
        }
        assertThat(report.path("comparison")
                        .path("finalLatencyMs")
                        .path("p99")
                        .path("addedMs")
                        .isNumber())
                .isTrue();
        JsonNode hops = report.path("targets").path("pipeline").path("hopsMs");
        assertThat(hops.path("2 ingest -> worker (asr.audio.v1)").path("count").asLong())
                .isPositive();
        assertThat(hops.path("6 store final (result-service DB)").path("count").asLong())
                .isPositive();
        assertThat(hops.path("7 result-service -> ingest (asr.delivery.v1.<node>)")
                        .path("count")
                        .asLong())
                .isPositive();
    }

    @Test
    void benchEchoEngineThroughBoth() throws Exception {
        JsonNode report = run("bench-echo", List.of("numbers.wav"), 1);
        for (String target : List.of("pipeline", "baseline")) {
            JsonNode t = report.path("targets").path(target);
            assertThat(t.path("sessionsFailed").asInt()).as(target + ": " + t).isZero();
            assertThat(t.path("finals").asInt())
                    .as(target)
                    .isGreaterThanOrEqualTo(t.path("sessionsOk").asInt() * 2);
        }
    }

    /** The java.net.http client too, so that it does not rot (the selector client is the default). */
    @Test
    void benchEchoThroughBothWithTheJdkClient() throws Exception {
        JsonNode report = run("bench-echo", List.of("time.wav"), 0);
        for (String target : List.of("pipeline", "baseline")) {
            JsonNode t = report.path("targets").path(target);
            assertThat(t.path("sessionsFailed").asInt()).as(target + ": " + t).isZero();
            assertThat(t.path("sessionsOk").asInt()).as(target).isPositive();
        }
    }

    private JsonNode run(String engine, List<String> fixtures) throws Exception {
        return run(engine, fixtures, 1);
    }

    private JsonNode run(String engine, List<String> fixtures, int clientThreads) throws Exception {
        String pipeline = "http://localhost:" + cluster.ingestPort(0);
        // actuator is on each service's management port
        List<String> metrics =
                List.of(
                                cluster.ingestNodes().get(0),
                                cluster.workers().get(0),
                                cluster.resultServices().get(0))
                        .stream()
                        .map(ctx -> "http://localhost:" + LocalCluster.managementPort(ctx))
                        .toList();
        LoadConfig config = new LoadConfig(
                3, 2.0, 0.5, 2, engine, 100, 30_000, fixtures, "/api/realtime-voice/stream", clientThreads);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Object> report = LoadGenerator.run(
                config,
                List.of(
                        new LoadPhase.Target("pipeline", pipeline, metrics),
                        new LoadPhase.Target("baseline", "http://localhost:" + port(baseline), List.of())),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        String table = LoadGenerator.table(report);
        System.out.println(progress.toString(StandardCharsets.UTF_8) + table);
        assertThat(table).contains("finalLatencyMs p99", "hop 2 ingest -> worker");
        return LoadPhase.tree(report);
    }

    private static int port(ConfigurableApplicationContext ctx) {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }
}
