package com.realtimevoice.bench.jmh;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import com.realtimevoice.ingest.pipeline.ResultSink;
import java.util.UUID;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The ingest node's lookup of a delivered result's socket ({@link LocalSessions#sink}), with {@code sessions}
 * sockets registered.
 */
@State(Scope.Thread)
public class SocketLookupBenchmark extends HotPathBenchmark {

    @Param({"2000", "20000"})
    public int sessions;

    private LocalSessions local;
    private String[] ids;
    private int next;

    private static final ResultSink NOOP = new ResultSink() {
        @Override
        public void onPartial(TranscriptPartial partial) {}

        @Override
        public void onFinal(TranscriptFinal fin) {}

        @Override
        public void onCompleted(SessionCompleted completed) {}

        @Override
        public void onFailed(SessionFailed failed) {}
    };

    @Setup
    public void setUp() {
        local = new LocalSessions();
        ids = new String[sessions];
        for (int i = 0; i < sessions; i++) {
            ids[i] = UUID.randomUUID().toString();
            local.register(ids[i], NOOP);
        }
    }

    @Benchmark
    public ResultSink lookup() {
        return local.sink(ids[next++ % ids.length]);
    }
}
