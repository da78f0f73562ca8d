package com.realtimevoice.result.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/** The service's own meters, all prefixed {@code result.}. */
@Component
class ResultMetrics {

    private final MeterRegistry registry;
    private final Counter finalsStored;
    private final Counter sessionsCompleted;
    private final Counter sessionsFailed;
    private final DistributionSummary batchFinals;
    /** Deprecated: the old name, whose Prometheus form result_db_batch_size_finals ends in a unit that is none. */
    private final DistributionSummary batchSizeDeprecated;

    ResultMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.finalsStored = Counter.builder("result.finals.stored")
                .description("Finals written (first time or replay)")
                .register(registry);
        this.sessionsCompleted = Counter.builder("result.sessions.completed").register(registry);
        this.sessionsFailed = Counter.builder("result.sessions.failed").register(registry);
        // a count of finals has no unit: Prometheus shows result_db_batch_finals_{count,sum,max,bucket}
        this.batchFinals = DistributionSummary.builder("result.db.batch.finals")
                .description("Finals written and committed in one transaction (one multi-row upsert)")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(10_000.0)
                .register(registry);
        // kept for one release (0.2) so that dashboards built on it can move; no histogram, to halve its cost
        this.batchSizeDeprecated = DistributionSummary.builder("result.db.batch.size")
                .description("DEPRECATED, removed in the next release: use result_db_batch_finals")
                .baseUnit("finals")
                .register(registry);
    }

    /**
     * Times one database write, tagged by what was written: one event's rows, or for {@code final} one group of
     * finals written in one transaction (see {@link #finalsStored}).
     */
    <T> T dbWrite(String operation, Supplier<T> write) {
        return Timer.builder("result.db.write")
                .tag("operation", operation)
                .description("Time to write and commit one event's rows, or one group of finals")
                .register(registry)
                .record(write);
    }

    /** A group of finals was committed in one transaction. */
    void finalsStored(int count) {
        finalsStored.increment(count);
        batchFinals.record(count);
        batchSizeDeprecated.record(count);
    }

    void sessionCompleted() {
        sessionsCompleted.increment();
    }

    void sessionFailed() {
        sessionsFailed.increment();
    }

    /** @param result {@code resumed}, {@code completed} (finished meanwhile: finals and completed re-sent) or {@code refused} */
    void resumed(String result) {
        Counter.builder("result.sessions.resumed")
                .tag("result", result)
                .description("Sessions reattached by their client, possibly on another ingest node")
                .register(registry)
                .increment();
    }

    /** @param result {@code delivered} or {@code failed} */
    void delivery(String type, String result) {
        Counter.builder("result.deliveries")
                .tag("type", type)
                .tag("result", result)
                .description("Results sent to ingest nodes' delivery topics")
                .register(registry)
                .increment();
    }
}
