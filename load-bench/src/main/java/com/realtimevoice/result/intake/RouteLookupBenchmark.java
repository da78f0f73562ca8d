package com.realtimevoice.result.intake;

import com.realtimevoice.result.transcript.Route;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * result-service's route lookup per result ({@link RouteCache#get}: a synchronized access-ordered map), with the
 * cache holding {@code sessions} routes, from one thread and from two (its listener threads contend on one lock).
 * Lives in RouteCache's package (load-bench, not result-service) because the cache is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {

    @Param({"2000", "20000"})
    public int sessions;

    private RouteCache cache;
    private String[] ids;

    @Setup
    public void setUp() {
        cache = new RouteCache(100_000);
        ids = new String[sessions];
        for (int i = 0; i < sessions; i++) {
            ids[i] = UUID.randomUUID().toString();
            cache.put(ids[i], new Route("ingest-a", "asr.delivery.v1.ingest-a"));
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public Route lookup(Cursor c) {
        return cache.get(ids[c.next++ % ids.length]);
    }

    @Benchmark
    @Threads(2)
    public Route lookupTwoThreads(Cursor c) {
        return cache.get(ids[c.next++ % ids.length]);
    }
}
