package com.realtimevoice.result.intake;

import com.realtimevoice.result.transcript.TranscriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Prepares the store's resume and failure paths before the intake's consumer starts (the listener containers start
 * with the context's lifecycle, after every singleton is ready), so the first client that resumes after a start
 * does not wait for Hibernate to load and translate its first query (measured: 2-7 s, every partition of that poll held).
 * A failure is logged and the service starts anyway: the paths then warm up on first use, as before.
 */
@Component
class StoreWarmUp implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(StoreWarmUp.class);

    private final TranscriptStore store;

    StoreWarmUp(TranscriptStore store) {
        this.store = store;
    }

    @Override
    public void afterSingletonsInstantiated() {
        long start = System.nanoTime();
        try {
            store.warmUp();
            log.info("store warmed up for resumes in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("could not warm the store up (the first resume prepares its statements): {}", e.toString());
        }
    }
}
