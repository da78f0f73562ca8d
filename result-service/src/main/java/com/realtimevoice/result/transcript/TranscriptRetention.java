package com.realtimevoice.result.transcript;

import com.realtimevoice.result.ResultServiceProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes sessions older than TRANSCRIPT_RETENTION, oldest first, in bounded batches, every sweep interval. Every
 * result service sweeps; two deleting the same rows only find fewer to delete. Off when no retention is set.
 */
@Component
class TranscriptRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TranscriptRetention.class);

    /** Below this a session still recording could be purged: sessions last at most minutes. */
    private static final Duration SHORTEST_SENSIBLE = Duration.ofHours(1);

    private final TranscriptStore store;
    private final ResultServiceProperties.Retention settings;
    private final Counter purged;
    private final Counter failedSweeps;
    private ScheduledExecutorService sweeper;

    TranscriptRetention(TranscriptStore store, ResultServiceProperties properties, MeterRegistry meters) {
        this.store = store;
        this.settings = properties.retention();
        this.purged = Counter.builder("result.transcripts.purged")
                .description(
                        "sessions deleted with their transcripts because they were older than TRANSCRIPT_RETENTION")
                .register(meters);
        this.failedSweeps = Counter.builder("result.retention.sweep.failures")
                .description("retention sweeps that failed (the next sweep tries again)")
                .register(meters);
    }

    /** Deletes every session started before now minus the retention, a batch at a time; returns how many. */
    int sweep() {
        Instant cutoff = Instant.now().minus(settings.keep());
        int total = 0;
        int deleted;
        do {
            deleted = store.purgeStartedBefore(cutoff, settings.batchSize());
            purged.increment(deleted);
            total += deleted;
        } while (deleted == settings.batchSize());
        if (total > 0) {
            log.info("retention: deleted {} sessions started before {}", total, cutoff);
        }
        return total;
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            failedSweeps.increment();
            log.warn("retention sweep failed, trying again in {}: {}", settings.sweepInterval(), e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (settings.keep() == null) {
            return;
        }
        if (settings.keep().compareTo(SHORTEST_SENSIBLE) < 0) {
            log.warn("TRANSCRIPT_RETENTION is {}: sessions still recording may be deleted under it", settings.keep());
        }
        log.info(
                "retention: sessions older than {} are deleted, checked every {}",
                settings.keep(),
                settings.sweepInterval());
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "transcript-retention");
            t.setDaemon(true);
            return t;
        });
        long every = settings.sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepSafely, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return sweeper != null;
    }
}
