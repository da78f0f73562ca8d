package com.realtimevoice.result.intake;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/** The service's own meters, all prefixed {@code result.}. */
@Component
class ResultMetrics {

    private final MeterRegistry registry;
    private final Counter finalsStored;
    private final Counter sessionsCompleted;
    private final Counter sessionsFailed;

    ResultMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.finalsStored = Counter.builder("result.finals.stored")
                .description("Finals written (first time or replay)").register(registry);
        this.sessionsCompleted = Counter.builder("result.sessions.completed").register(registry);
        this.sessionsFailed = Counter.builder("result.sessions.failed").register(registry);
    }

    /** Times one database write, tagged by what was written. */
    <T> T dbWrite(String operation, Supplier<T> write) {
        return Timer.builder("result.db.write").tag("operation", operation)
                .description("Time to write and commit one event's rows")
                .register(registry).record(write);
    }

    void finalStored() {
        finalsStored.increment();
    }

    void sessionCompleted() {
        sessionsCompleted.increment();
    }

    void sessionFailed() {
        sessionsFailed.increment();
    }

    /** @param result {@code resumed}, {@code completed} (finished meanwhile: finals and completed re-sent) or {@code refused} */
    void resumed(String result) {
        Counter.builder("result.sessions.resumed").tag("result", result)
                .description("Sessions reattached by their client, possibly on another ingest node").register(registry).increment();
    }

    /** @param result {@code delivered} or {@code failed} */
    void delivery(String type, String result) {
        Counter.builder("result.deliveries").tag("type", type).tag("result", result)
                .description("Results sent to ingest nodes' delivery topics").register(registry).increment();
    }
}
