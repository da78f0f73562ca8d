package com.realtimevoice.result.intake;

import com.realtimevoice.result.transcript.TranscriptStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Prepares the store's resume and failure paths before the intake's consumer starts (the listener containers start
 * with the context's lifecycle, after every singleton is ready), so the first client that resumes after a start
 * does not wait for Hibernate to load and translate its first query (measured: 2-7 s, every partition of that poll held).
 * Then, for {@code RESULT_SERVICE_WARMUP}, the write path of whole sessions in transactions that are rolled back: a
 * new result service (scale-out, a restart) otherwise added its JIT and first statements to the first minute of the
 * sessions it took over (docs/performance.md, "Cold start"). Nothing is stored.
 * A failure is logged and the service starts anyway: the paths then warm up on first use, as before.
 */
@Component
class StoreWarmUp implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(StoreWarmUp.class);

    private final TranscriptStore store;
    private final Duration writes;

    StoreWarmUp(TranscriptStore store, @Value("${result-service.warm-up}") Duration writes) {
        if (writes.isNegative() || writes.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalStateException(
                    "result-service.warm-up (RESULT_SERVICE_WARMUP) must be from 0s (none) to 10m, got " + writes);
        }
        this.store = store;
        this.writes = writes;
    }

    @Override
    public void afterSingletonsInstantiated() {
        long start = System.nanoTime();
        try {
            store.warmUp();
            int rounds = writes.isZero() ? 0 : store.warmUpWrites(writes);
            log.info(
                    "store warmed up for resumes, and {} rolled-back session writes, in {} ms",
                    rounds,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("could not warm the store up (the first resume prepares its statements): {}", e.toString());
        }
    }
}
