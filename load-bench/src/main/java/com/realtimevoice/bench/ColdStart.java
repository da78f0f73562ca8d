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
              (with --new-node: "new worker|ingest|result: ready after S s, ...")
              --runs N            fresh starts (default 3); each takes about 2.5 min, plus 1 min to warm the baseline
              --sessions N        concurrent streams (default 3: goal 1)
              --seconds N         seconds of load after the 5 s ramp-up (default 55: the first minute)
              --java-options "X"  options of the pipeline's JVM, space-separated (default none: as shipped)
              --jar PATH          the embedded default's jar (default local-runner/target/realtime-voice-local.jar)
              --json FILE         also write every run as JSON there
              --new-node worker|ingest|result   the scale-out case of the split services instead: one embedded
                                  default, warmed by a first minute of the load (reported as "warm"), then per run a
                                  fresh service from its -exec jar (only port, broker and node variables set) joins
                                  it. worker: it joins the consumer group and takes about half the audio partitions.
                                  ingest: the load goes through it (local profile, for development tokens; its results
                                  come back from the embedded default's result service). result: it joins the
                                  transcripts consumer group and takes about half the partitions; both result
                                  services on a fresh database rv_coldstart_<pid> of the MariaDB/MySQL at DB_HOST
                                  (default 127.0.0.1:3306, root). The load starts when its /actuator/health/readiness
                                  answers 200
              --node-jar PATH     that service's jar (default <module>/target/<module>-*-exec.jar)
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
        String newNode = a.get("new-node", null);
        Path nodeJar = null;
        if (newNode != null) {
            String module = switch (newNode) {
                case "worker" -> "asr-worker";
                case "ingest" -> "ingest-service";
                case "result" -> "result-service";
                default -> null;
            };
            if (module == null) {
                err.println("--new-node is worker, ingest or result, got '" + newNode + "'");
                return 2;
            }
            nodeJar = nodeJar(a, module, err);
            if (nodeJar == null) {
                return 2;
            }
        }
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
            if (nodeJar != null) {
                newNodeRuns(newNode, runs, jar, nodeJar, javaOptions, config, baselineUrl, logs, quiet, out, results);
            }
            for (int run = 1; nodeJar == null && run <= runs; run++) {
                Map<String, Object> r = coldRun(run, jar, javaOptions, config, baselineUrl, logs, quiet);
                results.add(r);
                printRun(out, run, "healthy", r);
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
                "%s after %.1f s, first minute added p99 %d ms (worst %d) over %d runs%n",
                nodeJar == null ? "cold start: healthy" : "new " + newNode + ": ready",
                healthy[healthy.length / 2],
                added[added.length / 2],
                added[added.length - 1],
                runs);
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
            return firstMinute(healthySeconds, config, url, baselineUrl, quiet);
        }
    }

    /**
     * The scale-out case: one warm embedded default, and per run a fresh split service joining it while goal 1's load
     * runs: a worker or a result service (each takes over about half its topic's partitions: half the new sessions),
     * or an ingest node (every session of the load goes through it).
     */
    private static void newNodeRuns(
            String kind,
            int runs,
            Path jar,
            Path nodeJar,
            String javaOptions,
            LoadConfig config,
            String baselineUrl,
            Path logs,
            PrintStream quiet,
            PrintStream out,
            List<Map<String, Object>> results)
            throws Exception {
        Map<String, String> env = ChildJvm.embeddedDefaultPorts();
        Map<String, String> database = new LinkedHashMap<>();
        if (kind.equals("result")) {
            // two result services share one database: the embedded default's and the new one on MariaDB/MySQL
            database.put("DB_HOST", System.getenv().getOrDefault("DB_HOST", "127.0.0.1"));
            database.put("DB_PORT", System.getenv().getOrDefault("DB_PORT", "3306"));
            database.put("DB_USER", System.getenv().getOrDefault("DB_USER", "root"));
            database.put("DB_PASSWORD", System.getenv().getOrDefault("DB_PASSWORD", ""));
            database.put("DB_NAME", "rv_coldstart_" + ProcessHandle.current().pid());
            env.putAll(database);
        }
        try {
            try (ChildJvm pipeline = ChildJvm.start(
                    "pipeline",
                    logs,
                    List.of(ChildJvm.javaBinary(), "-jar", jar.toString()),
                    env,
                    null,
                    Duration.ZERO)) {
                String url = "http://127.0.0.1:" + env.get("PORT");
                ChildJvm.awaitHealth(url + "/health", Duration.ofMinutes(4), pipeline);
                String kafka = brokerOf(logs.resolve("pipeline.log"));
                out.println(
                        "embedded default healthy, its broker at " + kafka + "; a first minute of the load warms it");
                Map<String, Object> warm = firstMinute(0, config, url, baselineUrl, quiet);
                out.printf(
                        "warm: final p99 pipeline %d ms, baseline %d ms: added p50 %d ms, p99 %d ms%n",
                        warm.get("pipelineP99Ms"),
                        warm.get("baselineP99Ms"),
                        warm.get("addedP50Ms"),
                        warm.get("addedP99Ms"));
                for (int run = 1; run <= runs; run++) {
                    int[] ports = ChildJvm.freePorts(2);
                    Map<String, String> nodeEnv = new LinkedHashMap<>();
                    nodeEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
                    String loadUrl = url;
                    if (kind.equals("worker")) {
                        nodeEnv.put("ASR_WORKER_PORT", String.valueOf(ports[0]));
                        nodeEnv.put("ASR_WORKER_MANAGEMENT_PORT", String.valueOf(ports[1]));
                    } else if (kind.equals("result")) {
                        nodeEnv.putAll(database);
                        nodeEnv.put("RESULT_SERVICE_PORT", String.valueOf(ports[0]));
                        nodeEnv.put("RESULT_SERVICE_MANAGEMENT_PORT", String.valueOf(ports[1]));
                        nodeEnv.put("SPRING_PROFILES_ACTIVE", "local"); // the embedded default's development secret
                    } else {
                        nodeEnv.put("PORT", String.valueOf(ports[0]));
                        nodeEnv.put("INGEST_MANAGEMENT_PORT", String.valueOf(ports[1]));
                        nodeEnv.put("INGEST_NODE_ID", "coldstart-" + run + "-" + ports[0]);
                        nodeEnv.put("RESULT_SERVICE_URL", "http://127.0.0.1:" + env.get("RESULT_SERVICE_PORT"));
                        // development tokens and the embedded default's development secret: the load's users are valid
                        nodeEnv.put("SPRING_PROFILES_ACTIVE", "local");
                        loadUrl = "http://127.0.0.1:" + ports[0];
                    }
                    List<String> command = new ArrayList<>(List.of(ChildJvm.javaBinary()));
                    if (!javaOptions.isEmpty()) {
                        command.addAll(Arrays.asList(javaOptions.split("\\s+")));
                    }
                    command.addAll(List.of("-jar", nodeJar.toAbsolutePath().toString()));
                    long t0 = System.nanoTime();
                    try (ChildJvm node =
                            ChildJvm.start(kind + "-" + run, logs, command, nodeEnv, null, Duration.ZERO)) {
                        ChildJvm.awaitHealth(
                                "http://127.0.0.1:" + ports[1] + "/actuator/health/readiness",
                                Duration.ofMinutes(4),
                                node);
                        double readySeconds = Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
                        Map<String, Object> r = firstMinute(readySeconds, config, loadUrl, baselineUrl, quiet);
                        results.add(r);
                        printRun(out, run, "new " + kind + " ready", r);
                    }
                    Thread.sleep(10_000); // a worker's partitions back to the embedded default's before the next one
                }
            }
        } finally {
            if (!database.isEmpty()) {
                dropDatabase(database);
            }
        }
    }

    /** The result case's database, so that runs leave nothing behind. */
    private static void dropDatabase(Map<String, String> db) {
        String url = "jdbc:mysql://" + db.get("DB_HOST") + ":" + db.get("DB_PORT") + "/";
        try (java.sql.Connection c =
                        java.sql.DriverManager.getConnection(url, db.get("DB_USER"), db.get("DB_PASSWORD"));
                java.sql.Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + db.get("DB_NAME") + "`");
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop database " + db.get("DB_NAME") + ": " + e.getMessage());
        }
    }

    private static void printRun(PrintStream out, int run, String what, Map<String, Object> r) {
        out.printf(
                "run %d: %s after %.1f s; first minute final p99 pipeline %d ms, baseline %d ms: "
                        + "added p50 %d ms, p99 %d ms; sessions ok %d, failed %d%n",
                run,
                what,
                r.get("healthySeconds"),
                r.get("pipelineP99Ms"),
                r.get("baselineP99Ms"),
                r.get("addedP50Ms"),
                r.get("addedP99Ms"),
                r.get("sessionsOk"),
                r.get("sessionsFailed"));
    }

    /** The embedded default's in-process broker, from the line it logs at start. */
    private static String brokerOf(Path log) throws Exception {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("broker up at (\\S+)").matcher(Files.readString(log));
        if (!m.find()) {
            throw new IllegalStateException("no 'broker up at' line in " + log);
        }
        return m.group(1);
    }

    private static Path nodeJar(Args a, String module, PrintStream err) throws Exception {
        if (a.has("node-jar")) {
            return Path.of(a.get("node-jar", null));
        }
        try (var jars = Files.newDirectoryStream(Path.of(module, "target"), module + "-*-exec.jar")) {
            for (Path p : jars) {
                return p;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // reported below
        }
        err.println(module + "/target/" + module + "-*-exec.jar not found: build it first or give --node-jar");
        return null;
    }

    /** Goal 1's load on the pipeline and the baseline side by side: one minute's figures. */
    private static Map<String, Object> firstMinute(
            double healthySeconds, LoadConfig config, String url, String baselineUrl, PrintStream quiet)
            throws Exception {
        {
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
