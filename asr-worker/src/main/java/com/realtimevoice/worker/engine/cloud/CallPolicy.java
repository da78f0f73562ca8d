package com.realtimevoice.worker.engine.cloud;

import java.time.Duration;

/**
 * How a worker calls a metered cloud engine.
 *
 * @param threads          calls in flight at once (the executor's threads)
 * @param queue            segments waiting for a thread; past that a segment is not sent (the fallback applies)
 * @param requestsPerSecond the account's quota for the API; every attempt, retries included, takes a permit
 * @param maxAttempts      attempts per segment for throttling, 5xx and network failures (1: no retry)
 * @param backoff          first retry delay; doubles each attempt, capped at {@code maxBackoff}, full jitter
 * @param failureThreshold consecutive failed segments (after their retries) that open the circuit breaker
 * @param openFor          how long an open breaker refuses calls before letting one through to test the service
 */
public record CallPolicy(
        int threads,
        int queue,
        double requestsPerSecond,
        int maxAttempts,
        Duration backoff,
        Duration maxBackoff,
        int failureThreshold,
        Duration openFor) {}
