package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code coldstart} (issue 24): does a new node serve at warm latency from the moment it says it is ready? Each run
 * starts a fresh embedded default as users start it ({@code java -jar realtime-voice-local.jar}, only port variables
 * set), puts goal 1's load on it the moment {@code /health} answers 200, and compares that first minute with the same
 * load on a baseline that was warmed once at the start. The added final p99 of that minute is the figure; the time
 * from the JVM's start to {@code /health} is the other half of "within 60 s of start".
 */
final class ColdStart {

    static final String USAGE = """
            coldstart [options]: a fresh embedded default per run, goal 1's load (Vosk) from the moment /health
              answers, over the first minute, against a warmed baseline; last line:
              "cold start: healthy after S s, first minute added p99 M ms (worst W) over N runs"
              --runs N            fresh starts (default 3); each takes about 2.5 min, plus 1 min to warm the baseline
              --sessions N        concurrent streams (default 3: goal 1)
              --seconds N         seconds of load after the 5 s ramp-up (default 55: the first minute)
              --java-options "X"  options of the pipeline's JVM, space-separated (default none: as shipped)
              --jar PATH          the embedded default's jar (default local-runner/target/realtime-voice-local.jar)
              --json FILE         also write every run as JSON there
            """;

    private static final double RAMP_UP_SECONDS = 5;

    private ColdStart() {}

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args.ForTool parsed = Args.forTool(argv, USAGE, out, err);
        if (parsed.args() == null) {
            return parsed.exitCode();
        }
        Args a = parsed.args();
        int runs;
        int sessions;
        int seconds;
        try {
            runs = a.integer("runs", 3);
            sessions = a.integer("sessions", 3);
            seconds = a.integer("seconds", 55);
            if (runs < 1 || sessions < 1 || seconds < 5) {
                throw new Args.UsageException("--runs >= 1, --sessions >= 1 and --seconds >= 5");
            }
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Path jar = ChildJvm.embeddedDefaultJar(a, err);
        if (jar == null) {
            return 2;
        }
        String javaOptions = a.get("java-options", "").trim();
        Path logs = Files.createTempDirectory("rv-coldstart");
        out.println("child JVM logs: " + logs);
        LoadConfig config = new LoadConfig(
                sessions,
                1,
                RAMP_UP_SECONDS,
                seconds,
                null, // the server's default engine: Vosk
                100,
                30_000,
                List.of("time.wav", "weather.wav", "numbers.wav", "sentences.wav"),
                "/api/realtime-voice/stream",
                1);
        List<Map<String, Object>> results = new ArrayList<>();
        int port = ChildJvm.freePorts(1)[0];
        try (PrintStream quiet = quiet(logs);
                ChildJvm baseline = ChildJvm.start(
                        "baseline",
                        logs,
                        ChildJvm.benchCommand("baseline", "--port", String.valueOf(port)),
                        Map.of(),
                        null,
                        Duration.ZERO)) {
            String baselineUrl = "http://127.0.0.1:" + port;
            ChildJvm.awaitHealth(baselineUrl + "/actuator/health", Duration.ofMinutes(2), baseline);
            out.println("warming the baseline with the same load once");
            LoadGenerator.run(config, List.of(new LoadPhase.Target("baseline", baselineUrl, List.of())), quiet);
            for (int run = 1; run <= runs; run++) {
                Map<String, Object> r = coldRun(run, jar, javaOptions, config, baselineUrl, logs, quiet);
                results.add(r);
                out.printf(
                        "run %d: healthy after %.1f s; first minute final p99 pipeline %d ms, baseline %d ms: "
                                + "added p50 %d ms, p99 %d ms; sessions ok %d, failed %d%n",
                        run,
                        r.get("healthySeconds"),
                        r.get("pipelineP99Ms"),
                        r.get("baselineP99Ms"),
                        r.get("addedP50Ms"),
                        r.get("addedP99Ms"),
                        r.get("sessionsOk"),
                        r.get("sessionsFailed"));
            }
        }
        double[] healthy = results.stream()
                .mapToDouble(r -> (Double) r.get("healthySeconds"))
                .sorted()
                .toArray();
        long[] added = results.stream()
                .mapToLong(r -> (Long) r.get("addedP99Ms"))
                .sorted()
                .toArray();
        if (a.has("json")) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("javaOptions", javaOptions);
            report.put("sessions", sessions);
            report.put("seconds", seconds);
            report.put("runs", results);
            Files.writeString(
                    Path.of(a.get("json", null)),
                    LoadPhase.JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        out.printf(
                "cold start: healthy after %.1f s, first minute added p99 %d ms (worst %d) over %d runs%n",
                healthy[healthy.length / 2], added[added.length / 2], added[added.length - 1], runs);
        return 0;
    }

    /** One fresh pipeline JVM: its time to healthy, then its first minute beside the warm baseline. */
    private static Map<String, Object> coldRun(
            int run, Path jar, String javaOptions, LoadConfig config, String baselineUrl, Path logs, PrintStream quiet)
            throws Exception {
        Map<String, String> env = ChildJvm.embeddedDefaultPorts();
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaBinary()));
        if (!javaOptions.isEmpty()) {
            command.addAll(Arrays.asList(javaOptions.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        long t0 = System.nanoTime();
        try (ChildJvm pipeline = ChildJvm.start("pipeline-" + run, logs, command, env, null, Duration.ZERO)) {
            String url = "http://127.0.0.1:" + env.get("PORT");
            ChildJvm.awaitHealth(url + "/health", Duration.ofMinutes(4), pipeline);
            double healthySeconds = Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
            Map<String, Object> report = LoadGenerator.run(
                    config,
                    List.of(
                            new LoadPhase.Target("pipeline", url, List.of()),
                            new LoadPhase.Target("baseline", baselineUrl, List.of())),
                    quiet);
            JsonNode tree = LoadPhase.tree(report);
            JsonNode p = tree.path("targets").path("pipeline");
            JsonNode b = tree.path("targets").path("baseline");
            JsonNode added = tree.path("comparison").path("finalLatencyMs");
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("healthySeconds", healthySeconds);
            r.put("pipelineP99Ms", p.path("finalLatencyMs").path("p99").asLong());
            r.put("baselineP99Ms", b.path("finalLatencyMs").path("p99").asLong());
            r.put("addedP50Ms", added.path("p50").path("addedMs").asLong());
            r.put("addedP99Ms", added.path("p99").path("addedMs").asLong());
            r.put("sessionsOk", p.path("sessionsOk").asInt());
            r.put("sessionsFailed", p.path("sessionsFailed").asInt());
            return r;
        }
    }

    /** The load generator's progress, into the logs directory rather than the report. */
    private static PrintStream quiet(Path logs) throws Exception {
        return new PrintStream(
                Files.newOutputStream(
                        logs.resolve("load.log"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND),
                true);
    }
}
