package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code capacity} (issue 24): how many bench-echo streams the embedded default holds at p99 added < 100 ms, beside
 * how many the floor under it holds (the socket layer plus the audio's one Kafka hop, nothing else: the sixth pass of
 * docs/performance.md), found by bisection in one run on the same cores, one after the other, never at once.
 *
 * "Added" is over an unloaded direct engine: the baseline server's final latency p99 at 10 streams, measured first.
 * The pipeline at N streams adds its final p99 minus that. The floor at M streams is two hops in series (the socket
 * layer's own final p99 minus that, run beside {@code kafka-floor} at M x 10 records/s) plus the Kafka hop's send ->
 * consumer p99, so it is the latency a pipeline that did nothing but those two things would add. A probe holds when
 * that sum is under the bound and no session failed.
 *
 * Every server is a child JVM started as users start it: the pipeline is {@code java -jar
 * local-runner/target/realtime-voice-local.jar} with only ASR_BENCH_ENGINE_ENABLED=true and port variables set.
 */
final class Capacity {

    static final String USAGE = """
            capacity [options]: the most bench-echo streams the embedded default and the floor (socket layer +
              the audio's Kafka hop) each hold at p99 added < 100 ms, by bisection; last line:
              "pipeline N streams, floor M streams, ratio R"
              --seconds N         measured seconds of load per probe (default 30); a run takes about 20 x (N + 25) s
              --start N           first stream count probed (default 300)
              --max N             highest stream count probed (default 4000)
              --bound-ms MS       the p99 added bound (default 100)
              --resolution F      stop bisecting when the bracket is within this fraction (default 0.1)
              --jar PATH          the embedded default's jar (default local-runner/target/realtime-voice-local.jar)
              --only pipeline|floor   measure one side only (no ratio)
              --json FILE         also write every probe as JSON there
            """;

    private static final int REFERENCE_STREAMS = 10;
    private static final double RAMP_UP_SECONDS = 10;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int seconds;
    private final int start;
    private final int max;
    private final double boundMs;
    private final double resolution;
    private final PrintStream out;
    private final Path logs;
    private final List<Map<String, Object>> probes = new ArrayList<>();
    private long referenceP99Ms;

    private Capacity(Args a, PrintStream out) throws Args.UsageException, IOException {
        this.seconds = a.integer("seconds", 30);
        this.start = a.integer("start", 300);
        this.max = a.integer("max", 4000);
        this.boundMs = a.number("bound-ms", 100);
        this.resolution = a.number("resolution", 0.1);
        if (seconds < 5 || start < 1 || max < start || boundMs <= 0 || resolution <= 0 || resolution >= 1) {
            throw new Args.UsageException(
                    "--seconds >= 5, 1 <= --start <= --max, --bound-ms > 0 and 0 < --resolution < 1");
        }
        this.out = out;
        this.logs = Files.createTempDirectory("rv-capacity");
    }

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a;
        Capacity capacity;
        try {
            a = Args.parse(argv);
            if (a.has("help")) {
                out.print(USAGE);
                return 0;
            }
            capacity = new Capacity(a, out);
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        String only = a.get("only", "");
        Path jar = Path.of(a.get("jar", "local-runner/target/realtime-voice-local.jar"));
        if (!only.equals("floor") && !Files.isRegularFile(jar)) {
            err.println(jar + " not found: build it first (./mvnw -B -q install -DskipTests) or give --jar");
            return 2;
        }
        long t0 = System.nanoTime();
        out.println("child JVM logs: " + capacity.logs);
        capacity.measureReference();
        int floor = only.equals("pipeline") ? -1 : capacity.bisect("floor", capacity::floorHolds);
        int pipeline = only.equals("floor") ? -1 : capacity.bisectPipeline(jar);
        long minutes = Math.round((System.nanoTime() - t0) / 60e9);
        if (a.has("json")) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("seconds", capacity.seconds);
            report.put("boundMs", capacity.boundMs);
            report.put("referenceP99Ms", capacity.referenceP99Ms);
            report.put("pipeline", pipeline);
            report.put("floor", floor);
            report.put("probes", capacity.probes);
            report.put("minutes", minutes);
            Files.writeString(
                    Path.of(a.get("json", null)),
                    LoadPhase.JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        out.printf("run took %d min; load average now %.1f%n", minutes, loadAverage());
        if (pipeline > 0 && floor > 0) {
            out.printf(
                    "pipeline %d streams, floor %d streams, ratio %.2f%n", pipeline, floor, (double) pipeline / floor);
        } else {
            out.printf(
                    "pipeline %s streams, floor %s streams%n", pipeline < 0 ? "-" : pipeline, floor < 0 ? "-" : floor);
        }
        return 0;
    }

    /** The unloaded direct engine: the baseline server at 10 streams, twice (the first warms it). */
    private void measureReference() throws Exception {
        try (Child baseline = startBaseline()) {
            load(baseline.url, REFERENCE_STREAMS, seconds / 2.0);
            JsonNode r = load(baseline.url, REFERENCE_STREAMS, seconds);
            referenceP99Ms = r.path("finalLatencyMs").path("p99").asLong();
            out.printf("reference: the baseline at %d streams, final p99 %d ms%n", REFERENCE_STREAMS, referenceP99Ms);
        }
    }

    private interface Probe {
        /** The p99 added at this many streams, or -1 when a session failed. */
        long addedMs(int streams) throws Exception;
    }

    /**
     * Doubles from --start until a probe fails (or --max), then halves the bracket until it is within --resolution.
     * A failed probe is not retried: noise shows as a lower figure, never a higher one.
     */
    private int bisect(String side, Probe probe) throws Exception {
        int holds = 0;
        int fails = max + 1;
        int n = start;
        while (n <= max) {
            if (!check(side, probe, n)) {
                fails = n;
                break;
            }
            holds = n;
            n = Math.min(max + 1, n * 2);
        }
        if (fails > max) {
            out.printf("%s: holds at --max %d%n", side, max);
            return holds;
        }
        while (fails - holds > Math.max(10, resolution * Math.max(holds, 1))) {
            int mid = (holds + fails) / 2;
            if (check(side, probe, mid)) {
                holds = mid;
            } else {
                fails = mid;
            }
        }
        out.printf("%s: holds at %d streams, not at %d%n", side, holds, fails);
        return holds;
    }

    private boolean check(String side, Probe probe, int streams) throws Exception {
        long added = probe.addedMs(streams);
        boolean ok = added >= 0 && added < boundMs;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("side", side);
        p.put("streams", streams);
        p.put("addedP99Ms", added);
        p.put("holds", ok);
        p.put("loadAverage", loadAverage());
        probes.add(p);
        out.printf(
                "%s at %d streams: p99 added %s -> %s%n",
                side, streams, added < 0 ? "n/a (sessions failed)" : added + " ms", ok ? "holds" : "does not hold");
        return ok;
    }

    /** The baseline under M streams beside kafka-floor at M x 10 records/s, the two hops' added latencies summed. */
    private long floorHolds(int streams) throws Exception {
        try (Child baseline = startBaseline()) {
            load(baseline.url, streams, seconds / 2.0); // warm-up: the socket layer JITs too
            int warmup = (int) RAMP_UP_SECONDS + 5;
            Path json = logs.resolve("kafka-floor-" + streams + ".json");
            try (Child kafka = Child.start(
                    "kafka-floor-" + streams,
                    logs,
                    benchCommand(
                            "kafka-floor",
                            "--rate",
                            String.valueOf(streams * 10),
                            "--keys",
                            String.valueOf(streams),
                            "--warmup",
                            String.valueOf(warmup),
                            "--duration",
                            String.valueOf(seconds - 3),
                            "--json",
                            json.toString()),
                    Map.of(),
                    "[warm-up",
                    Duration.ofSeconds(120))) {
                JsonNode socket = load(baseline.url, streams, seconds);
                kafka.awaitExit(Duration.ofSeconds(60 + seconds));
                if (socket.path("sessionsFailed").asInt() > 0 || !Files.exists(json)) {
                    return -1;
                }
                long socketAdded = socket.path("finalLatencyMs").path("p99").asLong() - referenceP99Ms;
                double hop = LoadPhase.JSON
                        .readTree(Files.readString(json))
                        .path("latency ms (send -> consumer)")
                        .path("p99")
                        .asDouble();
                out.printf("  floor: socket layer +%d ms, Kafka hop %.1f ms%n", socketAdded, hop);
                return Math.max(0, socketAdded) + Math.round(hop);
            }
        }
    }

    /** One pipeline JVM for the whole bisection, warmed at the first probe's load. */
    private int bisectPipeline(Path jar) throws Exception {
        int[] ports = freePorts(6);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ASR_BENCH_ENGINE_ENABLED", "true");
        env.put("PORT", String.valueOf(ports[0]));
        env.put("ASR_WORKER_PORT", String.valueOf(ports[1]));
        env.put("RESULT_SERVICE_PORT", String.valueOf(ports[2]));
        env.put("INGEST_MANAGEMENT_PORT", String.valueOf(ports[3]));
        env.put("ASR_WORKER_MANAGEMENT_PORT", String.valueOf(ports[4]));
        env.put("RESULT_SERVICE_MANAGEMENT_PORT", String.valueOf(ports[5]));
        List<String> command =
                List.of(javaBinary(), "-jar", jar.toAbsolutePath().toString());
        try (Child pipeline = Child.start("pipeline", logs, command, env, null, Duration.ZERO)) {
            String url = "http://127.0.0.1:" + ports[0];
            awaitHealth(url + "/health", Duration.ofMinutes(4), pipeline);
            out.println("pipeline up (" + url + "); warming up at " + start + " streams, twice");
            load(url, start, seconds);
            load(url, start, seconds);
            return bisect("pipeline", streams -> {
                JsonNode r = load(url, streams, seconds);
                if (r.path("sessionsFailed").asInt() > 0) {
                    return -1;
                }
                return Math.max(0, r.path("finalLatencyMs").path("p99").asLong() - referenceP99Ms);
            });
        }
    }

    private Child startBaseline() throws Exception {
        int port = freePorts(1)[0];
        Child child = Child.start(
                "baseline-" + port,
                logs,
                benchCommand("baseline", "--port", String.valueOf(port), "--engine", "bench-echo"),
                Map.of(),
                null,
                Duration.ZERO);
        String url = "http://127.0.0.1:" + port;
        awaitHealth(url + "/actuator/health", Duration.ofMinutes(2), child);
        return child.withUrl(url);
    }

    private JsonNode load(String url, int streams, double durationSeconds) throws Exception {
        LoadConfig config = new LoadConfig(
                streams,
                1,
                RAMP_UP_SECONDS,
                durationSeconds,
                "bench-echo",
                100,
                30_000,
                List.of("time.wav", "weather.wav", "numbers.wav", "sentences.wav"),
                "/api/realtime-voice/stream",
                1);
        PrintStream quiet = new PrintStream(
                Files.newOutputStream(
                        logs.resolve("load.log"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND),
                true);
        try (quiet) {
            Map<String, Object> report =
                    LoadGenerator.run(config, List.of(new LoadPhase.Target("target", url, List.of())), quiet);
            return LoadPhase.tree(report).path("targets").path("target");
        }
    }

    private static void awaitHealth(String url, Duration timeout, Child child) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new IllegalStateException(
                        child.name + " exited " + child.process.exitValue() + "; see " + child.log);
            }
            try {
                HttpResponse<Void> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                child.name + " not healthy at " + url + " after " + timeout + "; see " + child.log);
    }

    private static List<String> benchCommand(String... args) {
        List<String> command = new ArrayList<>(
                List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return ports;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A child JVM whose output goes to a log file; closing it kills it (and waits). */
    private static final class Child implements AutoCloseable {
        final String name;
        final Process process;
        final Path log;
        String url;

        private Child(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        /** Starts the command; with {@code readyLine}, waits until a line of its output starts with it. */
        static Child start(
                String name, Path logs, List<String> command, Map<String, String> env, String readyLine, Duration wait)
                throws Exception {
            Path log = logs.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process process = pb.start();
            Child child = new Child(name, process, log);
            CountDownLatch ready = new CountDownLatch(1);
            Thread pump = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                                PrintStream file = new PrintStream(Files.newOutputStream(log), true)) {
                            for (String line; (line = r.readLine()) != null; ) {
                                file.println(line);
                                if (readyLine != null && line.startsWith(readyLine)) {
                                    ready.countDown();
                                }
                            }
                        } catch (IOException ignored) {
                            // the child is gone
                        }
                    },
                    "capacity-" + name);
            pump.setDaemon(true);
            pump.start();
            if (readyLine != null && !ready.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                child.close();
                throw new IllegalStateException(name + " printed no '" + readyLine + "' in " + wait + "; see " + log);
            }
            return child;
        }

        Child withUrl(String url) {
            this.url = url;
            return this;
        }

        void awaitExit(Duration timeout) throws InterruptedException {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
