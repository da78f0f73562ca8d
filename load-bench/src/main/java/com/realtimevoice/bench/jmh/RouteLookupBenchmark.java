package com.realtimevoice.bench.jmh;

import com.realtimevoice.result.intake.RouteCache;
import com.realtimevoice.result.transcript.Route;
import java.util.UUID;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * result-service's route lookup per result ({@link RouteCache#get}: a synchronized access-ordered map), with the
 * cache holding {@code sessions} routes, from one thread and from two (its listener threads contend on one lock).
 */
@State(Scope.Benchmark)
public class RouteLookupBenchmark extends HotPathBenchmark {

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
