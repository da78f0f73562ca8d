package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code load}: N concurrent sessions over the WebSocket contract, real speech paced at real time, against the
 * pipeline and then the direct-engine baseline in the same run; prints both side by side (table and JSON).
 */
final class LoadGenerator {

    static final String USAGE = """
            load [options]: N concurrent streaming sessions against the pipeline and the baseline, side by side
              --pipeline URL      the pipeline's ingest node (e.g. http://localhost:8080)
              --baseline URL      the direct-engine baseline (load-bench/run baseline)
              --metrics URLS      comma-separated actuator base URLs (management ports) of the pipeline's services, scraped for
                                  per-hop latency (default: the pipeline URL; LocalMain: :8080,:8081,:8082)
              --sessions N        concurrent streams (default 4); each runs sessions back to back
              --speed X           pace, 1 = real time (default 1)
              --ramp-up S         seconds over which streams start (default 2)
              --duration S        seconds of load after ramp-up (default 10); sessions under way finish
              --engine E          engine field of start (default: the server's default, vosk)
              --fixtures LIST     comma-separated files of fixtures/speech (default all four)
              --chunk-ms MS       audio per binary frame (default 100)
              --session-timeout S seconds to wait for completed after the audio (default 30)
              --client-threads N  selector threads of the load generator's own WebSocket client (default 1);
                                  0: java.net.http's WebSocket instead (about 180 us of CPU per chunk)
              --json FILE         also write the report as JSON there
            """;

    private LoadGenerator() {}

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a;
        try {
            a = Args.parse(argv);
            if (a.has("help")) {
                out.print(USAGE);
                return 0;
            }
            if (!a.has("pipeline") && !a.has("baseline")) {
                throw new Args.UsageException("give --pipeline URL, --baseline URL or both");
            }
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        LoadConfig config = new LoadConfig(
                a.integer("sessions", 4),
                a.number("speed", 1),
                a.number("ramp-up", 2),
                a.number("duration", 10),
                a.get("engine", null),
                a.integer("chunk-ms", 100),
                (long) (a.number("session-timeout", 30) * 1000),
                Arrays.asList(a.get("fixtures", "time.wav,weather.wav,numbers.wav,sentences.wav")
                        .split(",")),
                "/api/realtime-voice/stream",
                a.integer("client-threads", 1));
        List<LoadPhase.Target> targets = new ArrayList<>();
        if (a.has("pipeline")) {
            String metrics = a.get("metrics", a.get("pipeline", null));
            targets.add(new LoadPhase.Target("pipeline", a.get("pipeline", null), Arrays.asList(metrics.split(","))));
        }
        if (a.has("baseline")) {
            targets.add(new LoadPhase.Target("baseline", a.get("baseline", null), List.of()));
        }
        Map<String, Object> report = run(config, targets, err);
        out.print(table(report));
        String json = LoadPhase.JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        if (a.has("json")) {
            Files.writeString(Path.of(a.get("json", null)), json);
            out.println("JSON report: " + a.get("json", null));
        } else {
            out.println(json);
        }
        int failed = 0;
        for (Object phase : ((Map<?, ?>) report.get("targets")).values()) {
            failed += ((Number) ((Map<?, ?>) phase).get("sessionsFailed")).intValue();
        }
        return failed == 0 ? 0 : 1;
    }

    /** Runs each target in turn under the same load, then compares them. */
    static Map<String, Object> run(LoadConfig config, List<LoadPhase.Target> targets, PrintStream progress)
            throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("sessions", config.sessions);
        conditions.put("speed", config.speed);
        conditions.put("rampUpSeconds", config.rampUpSeconds);
        conditions.put("durationSeconds", config.durationSeconds);
        conditions.put("engine", config.engine == null ? "(server default)" : config.engine);
        conditions.put("chunkMs", config.chunkMs);
        conditions.put("fixtures", config.fixtureNames);
        conditions.put("cores", Runtime.getRuntime().availableProcessors());
        conditions.put(
                "loadAverageAtStart",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        report.put("conditions", conditions);
        Map<String, Object> phases = new LinkedHashMap<>();
        for (LoadPhase.Target t : targets) {
            progress.println(
                    "== " + t.name() + " " + t.url() + ": " + config.sessions + " streams at " + config.speed + "x");
            phases.put(t.name(), new LoadPhase(config, t).run(progress));
        }
        report.put("targets", phases);
        if (phases.containsKey("pipeline") && phases.containsKey("baseline")) {
            report.put(
                    "comparison",
                    compare(LoadPhase.tree(phases.get("pipeline")), LoadPhase.tree(phases.get("baseline"))));
        }
        return report;
    }

    static final List<String> LATENCIES =
            List.of("firstPartialMs", "finalLatencyMs", "endOfSpeechToFinalMs", "endToCompletedMs");

    private static Map<String, Object> compare(JsonNode p, JsonNode b) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (String metric : LATENCIES) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String q : List.of("p50", "p95", "p99")) {
                long pv = p.path(metric).path(q).asLong(-1);
                long bv = b.path(metric).path(q).asLong(-1);
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("addedMs", pv < 0 || bv < 0 ? null : pv - bv);
                v.put("ratio", pv < 0 || bv <= 0 ? null : Math.round(100.0 * pv / bv) / 100.0);
                m.put(q, v);
            }
            c.put(metric, m);
        }
        double pf = p.path("finalsPerSecond").asDouble();
        double bf = b.path("finalsPerSecond").asDouble();
        c.put("finalsPerSecondRatio", bf <= 0 ? null : Math.round(100.0 * pf / bf) / 100.0);
        int po = p.path("sessionsOk").asInt();
        int bo = b.path("sessionsOk").asInt();
        c.put("sessionsOkRatio", bo <= 0 ? null : Math.round(100.0 * po / bo) / 100.0);
        return c;
    }

    static String table(Map<String, Object> report) {
        JsonNode r = LoadPhase.tree(report);
        JsonNode p = r.path("targets").path("pipeline");
        JsonNode b = r.path("targets").path("baseline");
        StringBuilder s = new StringBuilder();
        String fmt = "| %-52s | %12s | %12s | %9s | %9s |%n";
        s.append(String.format(fmt, "metric", "pipeline", "baseline", "ratio", "added"));
        s.append(String.format(fmt, "-".repeat(52), "-".repeat(12), "-".repeat(12), "-".repeat(9), "-".repeat(9)));
        row(s, fmt, "concurrent streams", p.path("concurrentStreams"), b.path("concurrentStreams"), false);
        row(s, fmt, "sessions ok", p.path("sessionsOk"), b.path("sessionsOk"), true);
        row(s, fmt, "sessions failed", p.path("sessionsFailed"), b.path("sessionsFailed"), false);
        row(s, fmt, "finals/s", p.path("finalsPerSecond"), b.path("finalsPerSecond"), true);
        for (String metric : LATENCIES) {
            for (String q : List.of("p50", "p95", "p99")) {
                row(
                        s,
                        fmt,
                        metric + " " + q,
                        p.path(metric).path(q),
                        b.path(metric).path(q),
                        true);
            }
        }
        row(
                s,
                fmt,
                "lag growth (ms, last third - first third)",
                p.path("lagGrowth").path("growthMs"),
                b.path("lagGrowth").path("growthMs"),
                false);
        row(s, fmt, "errors", p.path("errors"), b.path("errors"), false);
        p.path("hopsMs")
                .properties()
                .forEach(e -> s.append(String.format(
                        fmt,
                        "hop " + e.getKey(),
                        e.getValue().path("count").asLong() == 0
                                ? "n/a"
                                : e.getValue().path("p50").asString() + "/"
                                        + e.getValue().path("p99").asString(),
                        "-",
                        "",
                        "")));
        s.append("(latencies in ms; hops: p50/p99 ms from the pipeline's histograms)\n");
        return s.toString();
    }

    private static void row(StringBuilder s, String fmt, String name, JsonNode p, JsonNode b, boolean compare) {
        String ps = p.isMissingNode() ? "-" : p.isContainer() ? p.toString() : p.asString();
        String bs = b.isMissingNode() ? "-" : b.isContainer() ? b.toString() : b.asString();
        String ratio = "";
        String added = "";
        if (compare && p.isNumber() && b.isNumber() && p.asDouble() >= 0 && b.asDouble() >= 0) {
            ratio = b.asDouble() == 0 ? "" : String.format("%.2f", p.asDouble() / b.asDouble());
            added = String.format("%.0f", p.asDouble() - b.asDouble());
        }
        s.append(String.format(fmt, name, ps, bs, ratio, added));
    }
}
