package com.realtimevoice.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One target (pipeline or baseline) under the configured load: runs the virtual users, collects the figures. */
final class LoadPhase {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A server to load: its name in the report, its base URL, the actuator URLs to scrape for per-hop latency. */
    record Target(String name, String url, List<String> metricsUrls) {}

    final LoadConfig config;
    final Target target;
    volatile long deadlineNs;
    volatile boolean stopped;

    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch usersDone;
    private final AtomicInteger sessionsOk = new AtomicInteger();
    private final AtomicInteger sessionsFailed = new AtomicInteger();
    private final LongAdder finals = new LongAdder();
    private final AtomicLong audioBytes = new AtomicLong();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Stats firstPartial = new Stats();
    final Stats finalLatency = new Stats();
    final Stats endOfSpeech = new Stats();
    final Stats completedLatency = new Stats();
    /** {seconds since start of the run, end-of-speech latency}: for lag growth. */
    private final List<long[]> eosOverTime = new ArrayList<>();

    private long startNs;
    private long endNs;

    LoadPhase(LoadConfig config, Target target) {
        this.config = config;
        this.target = target;
        this.usersDone = new CountDownLatch(config.sessions);
    }

    /** Runs the load to its end and returns the figures. */
    Map<String, Object> run(PrintStream progress) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(
                        Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("ws-client")))
                .build();
        List<String> tokens = tokens(http);
        PromScrape before = PromScrape.of(http, target.metricsUrls());
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, daemon("pacer"));
        startNs = System.nanoTime();
        deadlineNs = startNs + (long) ((config.rampUpSeconds + config.durationSeconds) * 1e9);
        if (config.clientThreads > 0) {
            new SelectorUsers(this, tokens, config.clientThreads).start(startNs);
        } else {
            for (int i = 0; i < config.sessions; i++) {
                VirtualUser user = new VirtualUser(this, i, tokens.get(i), ticker);
                long delayMs = config.sessions <= 1 ? 0 : (long) (config.rampUpSeconds * 1000 * i / config.sessions);
                ticker.schedule(() -> user.connect(http), delayMs, TimeUnit.MILLISECONDS);
            }
        }
        long longestAudioMs = config.fixtureNames.stream()
                .mapToLong(f -> config.audioMs(config.fixture(config.fixtureNames.indexOf(f))))
                .max()
                .orElse(0);
        long graceMs = (long) (longestAudioMs / config.speed) + config.sessionTimeoutMs + 5000;
        long hardStop = deadlineNs + graceMs * 1_000_000;
        while (!usersDone.await(2, TimeUnit.SECONDS)) {
            progress.println(progressLine());
            if (System.nanoTime() > hardStop) {
                stopped = true;
                error("NOT_FINISHED");
                break;
            }
        }
        endNs = System.nanoTime();
        progress.println(progressLine());
        PromScrape after = PromScrape.of(http, target.metricsUrls());
        ticker.shutdownNow();
        return report(before, after);
    }

    private String progressLine() {
        long t = (System.nanoTime() - startNs) / 1_000_000_000;
        return String.format(
                "[%-8s %4ds] connections %d, users running %d/%d | sessions ok %d failed %d | finals %d | final latency p50 %d ms p99 %d ms | errors %s",
                target.name(),
                t,
                connections.get(),
                config.sessions - usersDone.getCount(),
                config.sessions,
                sessionsOk.get(),
                sessionsFailed.get(),
                finals.sum(),
                finalLatency.percentile(50),
                finalLatency.percentile(99),
                errorCounts());
    }

    /** Development tokens, one user per virtual user (the per-user session limit stays out of the way). */
    private List<String> tokens(HttpClient http) throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        Semaphore inFlight = new Semaphore(16);
        String run = Long.toHexString(System.nanoTime() & 0xffffff);
        for (int i = 0; i < config.sessions; i++) {
            inFlight.acquire();
            HttpRequest r = HttpRequest.newBuilder(URI.create(config.httpUrl(target.url(), "/api/auth/dev-token")))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"bench-" + run + "-" + i + "\"}"))
                    .build();
            futures.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((x, e) -> inFlight.release())
                    .thenApply(resp -> {
                        if (resp.statusCode() != 200) {
                            throw new IllegalStateException(
                                    "POST /api/auth/dev-token on " + target.url() + " answered " + resp.statusCode()
                                            + " (the load generator needs the local profile's development tokens)");
                        }
                        return JSON.readTree(resp.body()).path("token").asString();
                    }));
        }
        List<String> tokens = new ArrayList<>();
        for (CompletableFuture<String> f : futures) {
            tokens.add(f.get(60, TimeUnit.SECONDS));
        }
        return tokens;
    }

    void connected() {
        connections.incrementAndGet();
    }

    void userDone() {
        usersDone.countDown();
    }

    void audioSent(int bytes) {
        audioBytes.addAndGet(bytes);
    }

    void finalReceived() {
        finals.increment();
    }

    void error(String code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void sessionFailed() {
        sessionsFailed.incrementAndGet();
    }

    void sessionDone(VirtualUser.SessionTimes t) {
        sessionsOk.incrementAndGet();
        if (t.firstPartialNs() > 0) {
            firstPartial.add((t.firstPartialNs() - t.firstAudioNs()) / 1_000_000);
        }
        if (t.lastFinalNs() > t.endSentNs()) {
            finalLatency.add((t.lastFinalNs() - t.endSentNs()) / 1_000_000);
        }
        completedLatency.add((t.completedNs() - t.endSentNs()) / 1_000_000);
        long at = (t.completedNs() - startNs) / 1_000_000_000;
        for (long ms : t.endOfSpeechLatenciesMs()) {
            endOfSpeech.add(ms);
            synchronized (eosOverTime) {
                eosOverTime.add(new long[] {at, ms});
            }
        }
    }

    private Map<String, Long> errorCounts() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * Lag growth: median end-of-speech -> final latency of the last third of the run minus that of the first third
     * (after ramp-up). A pipeline that keeps up stays near 0; one that falls behind grows by the backlog.
     */
    private Map<String, Object> lagGrowth() {
        List<long[]> samples;
        synchronized (eosOverTime) {
            samples = new ArrayList<>(eosOverTime);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        long from = (long) config.rampUpSeconds;
        long to = (endNs - startNs) / 1_000_000_000;
        long third = Math.max(1, (to - from) / 3);
        Stats first = new Stats();
        Stats last = new Stats();
        for (long[] s : samples) {
            if (s[0] >= from && s[0] < from + third) {
                first.add(s[1]);
            } else if (s[0] >= to - third) {
                last.add(s[1]);
            }
        }
        m.put("firstThirdP50Ms", first.percentile(50));
        m.put("lastThirdP50Ms", last.percentile(50));
        m.put("growthMs", first.count() == 0 || last.count() == 0 ? null : last.percentile(50) - first.percentile(50));
        return m;
    }

    private Map<String, Object> report(PromScrape before, PromScrape after) {
        Map<String, Object> r = new LinkedHashMap<>();
        double seconds = (endNs - startNs) / 1e9;
        r.put("target", target.name());
        r.put("url", target.url());
        r.put("seconds", Math.round(seconds * 10) / 10.0);
        r.put("concurrentStreams", config.sessions);
        r.put("sessionsOk", sessionsOk.get());
        r.put("sessionsFailed", sessionsFailed.get());
        r.put("connections", connections.get());
        r.put("finals", finals.sum());
        r.put("finalsPerSecond", Math.round(finals.sum() / seconds * 10) / 10.0);
        r.put("audioSecondsSent", Math.round(audioBytes.get() / 32_000.0));
        r.put("firstPartialMs", firstPartial.summary());
        r.put("finalLatencyMs", finalLatency.summary());
        r.put("endOfSpeechToFinalMs", endOfSpeech.summary());
        r.put("endToCompletedMs", completedLatency.summary());
        r.put("lagGrowth", lagGrowth());
        r.put("errors", errorCounts());
        r.put("hopsMs", after.hops(before));
        return r;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static JsonNode tree(Object o) {
        return JSON.valueToTree(o);
    }
}
