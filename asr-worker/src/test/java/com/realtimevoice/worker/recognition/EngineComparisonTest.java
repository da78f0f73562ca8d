package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.tencent.FakeTencentAsr;
import com.realtimevoice.worker.engine.tencent.TencentAsrEngine;
import com.realtimevoice.worker.engine.tencent.TencentTestSupport;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import com.realtimevoice.worker.segment.SegmentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The figures in docs/engines.md: accuracy (WER) and latency (from the chunk holding a segment's last word to its
 * final; the first partial from the chunk holding its first word) per engine, on the committed fixtures streamed
 * in real time, 100 ms per chunk. The "tencent" figures are the local fake's (its recogniser is Vosk, its network
 * is loopback), so they measure this worker's segmentation and call path, not Tencent's service. The two engines
 * stream at the same time, each on its own thread and its own {@link WorkerSessions} (two live sessions, as a worker
 * has many): half the wall time of one after the other.
 */
class EngineComparisonTest {

    private static FakeTencentAsr fake;
    private static EngineRegistry registry;
    private static WorkerProperties worker;
    private static SegmentProperties segments;
    private static final Map<String, List<long[]>> publishedAt = new ConcurrentHashMap<>();
    private static final List<PipelineEvent> published = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        fake = new FakeTencentAsr().recogniser(TencentTestSupport.vosk());
        worker = WorkerSettings.worker("vosk");
        segments = WorkerSettings.segments("vosk", SegmentProperties.Fallback.LOCAL);
        registry = new EngineRegistry(
                List.of(LocalVosk.engine()),
                List.of(new TencentAsrEngine(TencentTestSupport.properties(fake))),
                worker,
                segments);
    }

    private static WorkerSessions recognizers() {
        return new WorkerSessions(
                registry,
                new RecognitionMetrics(new SimpleMeterRegistry()),
                worker,
                segments,
                events -> {
                    long now = System.nanoTime();
                    published.addAll(events);
                    events.forEach(e -> mark(e, now));
                },
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        registry.destroy();
        fake.close();
    }

    @Test
    void accuracyAndLatencyPerEngine() throws Exception {
        ExecutorService streams = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> rows = new ArrayList<>();
            for (String engine : List.of("vosk", "tencent")) {
                rows.add(streams.submit(() -> compare(engine)));
            }
            System.out.println(
                    "| engine | corpus WER | finals | final latency median ms | max ms | first partial median ms |");
            for (Future<String> row : rows) {
                System.out.println(row.get(5, TimeUnit.MINUTES));
            }
        } finally {
            streams.shutdownNow();
        }
    }

    /** One engine over every fixture, one after the other: its row of the table; fails above 10 % WER. */
    private String compare(String engine) throws Exception {
        WorkerSessions recognizers = recognizers();
        StringBuilder refs = new StringBuilder();
        StringBuilder hyps = new StringBuilder();
        List<Long> finalLatency = new ArrayList<>();
        List<Long> partialLatency = new ArrayList<>();
        for (String fixture : SpeechFixtures.transcripts().keySet()) {
            String id = engine + "-" + fixture;
            List<TranscriptFinal> finals =
                    run(recognizers, id, engine, SpeechFixtures.pcm(fixture), finalLatency, partialLatency);
            refs.append(SpeechFixtures.reference(fixture)).append(' ');
            hyps.append(String.join(
                            " ", finals.stream().map(TranscriptFinal::text).toList()))
                    .append(' ');
        }
        double wer = WordErrorRate.of(refs.toString(), hyps.toString());
        assertThat(wer).as(engine).isLessThanOrEqualTo(0.1);
        return String.format(
                "| %s | %.3f | %d | %d | %d | %d |",
                engine, wer, finalLatency.size(), median(finalLatency), max(finalLatency), median(partialLatency));
    }

    /** Streams a fixture in real time; returns its finals; adds latencies (ms) measured against the feeding times. */
    private static List<TranscriptFinal> run(
            WorkerSessions recognizers,
            String id,
            String engine,
            byte[] pcm,
            List<Long> finalLatency,
            List<Long> partialLatency)
            throws Exception {
        List<long[]> sync = new ArrayList<>();
        List<Long> fedAt = new ArrayList<>();
        List<PipelineEvent> syncEvents = new ArrayList<>();
        recognizers.handle(new SessionStarted(id, "u", "n", "reply", "pcm", 16000, "en", engine, true, false, 1));
        long seq = 0;
        long next = System.nanoTime();
        for (int off = 0; off < pcm.length; off += 3200) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += 100_000_000L;
            fedAt.add(System.nanoTime());
            List<PipelineEvent> out = recognizers.handle(new AudioChunk(
                    id,
                    seq++,
                    off,
                    "pcm",
                    16000,
                    System.currentTimeMillis(),
                    Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 3200))));
            long now = System.nanoTime();
            out.forEach(e -> mark(e, now));
            syncEvents.addAll(out);
        }
        List<PipelineEvent> end = recognizers.handle(new SessionEnded(id, seq - 1, pcm.length, "end", 2));
        long now = System.nanoTime();
        end.forEach(e -> mark(e, now));
        syncEvents.addAll(end);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> syncEvents.stream().anyMatch(SessionCompleted.class::isInstance)
                        || published.stream()
                                .anyMatch(e -> e instanceof SessionCompleted c
                                        && c.sessionId().equals(id)));
        List<TranscriptFinal> finals = new ArrayList<>();
        List<PipelineEvent> all = new ArrayList<>(syncEvents);
        synchronized (published) {
            published.stream().filter(e -> id.equals(sessionOf(e))).forEach(all::add);
        }
        for (PipelineEvent e : all) {
            if (e instanceof TranscriptFinal f) {
                finals.add(f);
                long at = publishedAt.get(id + "#final#" + f.index()).get(0)[0];
                int chunk = (int) Math.min(fedAt.size() - 1, f.endMs() / 100);
                finalLatency.add((at - fedAt.get(chunk)) / 1_000_000);
                List<long[]> firstPartial = publishedAt.get(id + "#partial#" + f.index());
                if (firstPartial != null) {
                    int startChunk = (int) Math.min(fedAt.size() - 1, f.startMs() / 100);
                    partialLatency.add((firstPartial.get(0)[0] - fedAt.get(startChunk)) / 1_000_000);
                }
            }
        }
        return finals;
    }

    private static void mark(PipelineEvent e, long nanos) {
        if (e instanceof TranscriptFinal f) {
            publishedAt
                    .computeIfAbsent(f.sessionId() + "#final#" + f.index(), k -> new ArrayList<>())
                    .add(new long[] {nanos});
        } else if (e instanceof TranscriptPartial p) {
            publishedAt
                    .computeIfAbsent(p.sessionId() + "#partial#" + p.index(), k -> new ArrayList<>())
                    .add(new long[] {nanos});
        }
    }

    private static String sessionOf(PipelineEvent e) {
        if (e instanceof TranscriptFinal f) {
            return f.sessionId();
        }
        if (e instanceof SessionCompleted c) {
            return c.sessionId();
        }
        return null;
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }
}
