package com.realtimevoice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline's own per-hop latency, from the histograms its services already publish on /actuator/prometheus
 * (each built from the rv-created-at / rv-received-at headers the records carry). Two scrapes, before and after a
 * run; the difference of their buckets is the run's distribution, whatever else the services did before it.
 */
final class PromScrape {

    /** A hop: its label in the report, the Prometheus histogram and an optional label filter. */
    record Hop(String label, String metric, String filter) {}

    static final List<Hop> HOPS = List.of(
            new Hop("1 socket receive -> Kafka ack (ingest publish)", "ingest_kafka_publish_latency_seconds", null),
            new Hop("2 ingest -> worker (asr.audio.v1)", "asr_worker_hop_latency_seconds", "type=\"audio.chunk\""),
            new Hop("3 engine time per chunk (worker)", "asr_worker_engine_processing_seconds", null),
            new Hop("4 socket receive -> recognised (1+2+3+queueing)", "asr_worker_chunk_lag_seconds", null),
            new Hop(
                    "5 worker -> result-service (asr.transcripts.v1)",
                    "result_hop_latency_seconds",
                    "type=\"transcript.final\""),
            new Hop("6 store final (result-service DB)", "result_db_write_seconds", "operation=\"final\""),
            new Hop(
                    "7 result-service -> ingest (asr.delivery.v1.<node>)",
                    "ingest_delivery_hop_latency_seconds",
                    null));

    private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{(.*)le=\"([^\"]+)\",?(.*)\\}\\s+(\\S+)");

    /** metric -> (labels without le) -> le -> cumulative count */
    private final Map<String, Map<String, TreeMap<Double, Double>>> buckets = new LinkedHashMap<>();

    static PromScrape of(HttpClient http, List<String> urls) {
        PromScrape s = new PromScrape();
        for (String url : urls) {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(20))
                        .GET()
                        .build();
                HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) {
                    s.parse(url, resp.body());
                }
            } catch (Exception e) {
                // a service without metrics leaves its hops empty; the report says so (count 0)
            }
        }
        return s;
    }

    void parse(String source, String text) {
        for (String line : text.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (!m.find()) {
                continue;
            }
            double le = "+Inf".equals(m.group(3)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(3));
            String labels = source + "|" + m.group(2) + m.group(4);
            buckets.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                    .computeIfAbsent(labels, k -> new TreeMap<>())
                    .merge(le, Double.parseDouble(m.group(5)), Double::sum);
        }
    }

    /** Each hop's p50/p95/p99 in ms over what happened between {@code before} and this scrape. */
    Map<String, Object> hops(PromScrape before) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Hop hop : HOPS) {
            TreeMap<Double, Double> delta = new TreeMap<>();
            accumulate(delta, hop, +1);
            before.accumulateInto(delta, hop);
            out.put(hop.label(), quantiles(delta));
        }
        return out;
    }

    private void accumulate(TreeMap<Double, Double> into, Hop hop, int sign) {
        Map<String, TreeMap<Double, Double>> series = buckets.getOrDefault(hop.metric(), Map.of());
        series.forEach((labels, b) -> {
            if (hop.filter() == null || labels.contains(hop.filter())) {
                b.forEach((le, c) -> into.merge(le, sign * c, Double::sum));
            }
        });
    }

    private void accumulateInto(TreeMap<Double, Double> into, Hop hop) {
        accumulate(into, hop, -1);
    }

    /** Quantiles from cumulative buckets, interpolated linearly inside the bucket, in ms. */
    static Map<String, Object> quantiles(TreeMap<Double, Double> cumulative) {
        Map<String, Object> q = new LinkedHashMap<>();
        double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        q.put("count", Math.round(total));
        for (double p : new double[] {0.50, 0.95, 0.99}) {
            q.put(
                    "p" + Math.round(p * 100),
                    total <= 0 ? -1 : Math.round(quantile(cumulative, p * total) * 10000) / 10.0);
        }
        return q;
    }

    private static double quantile(TreeMap<Double, Double> cumulative, double rank) {
        double prevLe = 0;
        double prevCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return prevLe;
                }
                double inBucket = e.getValue() - prevCount;
                double frac = inBucket <= 0 ? 1 : (rank - prevCount) / inBucket;
                return prevLe + (e.getKey() - prevLe) * frac;
            }
            prevLe = e.getKey();
            prevCount = e.getValue();
        }
        return prevLe;
    }
}
