package com.realtimevoice.worker.engine.cloud;

import java.util.function.LongSupplier;

/**
 * Requests-per-second limiter: a bucket of {@code rate} permits (one second of burst) refilled continuously.
 * {@link #acquire} blocks the calling executor thread until a permit is free; never call it on a consumer thread.
 */
final class TokenBucket {

    private final double rate;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, LongSupplier nanoClock) {
        this.rate = ratePerSecond;
        this.capacity = Math.max(1, ratePerSecond);
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    /** Takes a permit, waiting as long as needed. */
    void acquire() throws InterruptedException {
        while (true) {
            long waitNanos;
            synchronized (this) {
                refill();
                if (tokens >= 1) {
                    tokens -= 1;
                    return;
                }
                waitNanos = (long) Math.ceil((1 - tokens) / rate * 1e9);
            }
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
        last = now;
    }
}
