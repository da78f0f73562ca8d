package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        Path jar = only.equals("floor") ? null : ChildJvm.embeddedDefaultJar(a, err);
        if (!only.equals("floor") && jar == null) {
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
        try (ChildJvm baseline = startBaseline()) {
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
        try (ChildJvm baseline = startBaseline()) {
            load(baseline.url, streams, seconds / 2.0); // warm-up: the socket layer JITs too
            int warmup = (int) RAMP_UP_SECONDS + 5;
            Path json = logs.resolve("kafka-floor-" + streams + ".json");
            try (ChildJvm kafka = ChildJvm.start(
                    "kafka-floor-" + streams,
                    logs,
                    ChildJvm.benchCommand(
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
        Map<String, String> env = ChildJvm.embeddedDefaultPorts();
        env.put("ASR_BENCH_ENGINE_ENABLED", "true");
        List<String> command =
                List.of(ChildJvm.javaBinary(), "-jar", jar.toAbsolutePath().toString());
        try (ChildJvm pipeline = ChildJvm.start("pipeline", logs, command, env, null, Duration.ZERO)) {
            String url = "http://127.0.0.1:" + env.get("PORT");
            ChildJvm.awaitHealth(url + "/health", Duration.ofMinutes(4), pipeline);
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

    private ChildJvm startBaseline() throws Exception {
        int port = ChildJvm.freePorts(1)[0];
        ChildJvm child = ChildJvm.start(
                "baseline-" + port,
                logs,
                ChildJvm.benchCommand("baseline", "--port", String.valueOf(port), "--engine", "bench-echo"),
                Map.of(),
                null,
                Duration.ZERO);
        String url = "http://127.0.0.1:" + port;
        ChildJvm.awaitHealth(url + "/actuator/health", Duration.ofMinutes(2), child);
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

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
