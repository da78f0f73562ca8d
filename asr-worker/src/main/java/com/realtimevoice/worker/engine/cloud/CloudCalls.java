package com.realtimevoice.worker.engine.cloud;

import com.realtimevoice.worker.engine.CloudEngineException;
import com.realtimevoice.worker.engine.CloudEngineException.Kind;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.SegmentEngine;
import com.realtimevoice.worker.engine.SegmentRequest;
import com.realtimevoice.worker.engine.SegmentResult;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a {@link SegmentEngine} the way a metered cloud API wants to be called: on a bounded executor of its own
 * (never a Kafka consumer thread), within the account's request rate, retrying throttling and server errors with
 * jittered exponential backoff, and behind a circuit breaker that stops calling a service that keeps failing.
 * Refused credentials are never retried: they open the breaker at once, are logged once as an error that says what
 * to fix, and make {@link #checkSession} refuse new sessions with that message until a trial call succeeds.
 */
public final class CloudCalls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloudCalls.class);

    private final SegmentEngine engine;
    private final CallPolicy policy;
    private final ThreadPoolExecutor executor;
    private final TokenBucket limiter;
    private final CircuitBreaker breaker;
    private final Sleeper sleeper;
    private final AtomicInteger attempts = new AtomicInteger();

    /** Pauses between attempts; tests replace it to run without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    public CloudCalls(SegmentEngine engine, CallPolicy policy) {
        this(engine, policy, System::nanoTime, System::currentTimeMillis, Thread::sleep);
    }

    CloudCalls(SegmentEngine engine, CallPolicy policy, LongSupplier nanoClock, LongSupplier msClock, Sleeper sleeper) {
        this.engine = engine;
        this.policy = policy;
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                policy.threads(),
                policy.threads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(policy.queue()),
                r -> {
                    Thread t = new Thread(r, engine.name() + "-asr-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        this.limiter = new TokenBucket(policy.requestsPerSecond(), nanoClock);
        this.breaker =
                new CircuitBreaker(policy.failureThreshold(), policy.openFor().toMillis(), msClock);
        this.sleeper = sleeper;
    }

    public SegmentEngine engine() {
        return engine;
    }

    /** At a session's start: refuses it if the engine cannot serve it, with what to fix. */
    public void checkSession(String language) {
        if (breaker.authFailure()) {
            throw new EngineUnavailableException(engine.name() + ": credentials refused (" + breaker.reason() + ")");
        }
        engine.checkSession(language);
    }

    /** Whether the breaker lets calls through now (closed or ready for a trial call). */
    public boolean available() {
        return breaker.state() != CircuitBreaker.State.OPEN;
    }

    /** Total attempts made (retries included), for tests and metrics. */
    public int attempts() {
        return attempts.get();
    }

    /**
     * Recognises a segment off the caller's thread. The future fails with a {@link CloudEngineException}: kind
     * UNAVAILABLE when the call was not attempted (breaker open, executor full), else the last attempt's failure.
     */
    public CompletableFuture<SegmentResult> submit(SegmentRequest request) {
        CompletableFuture<SegmentResult> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(call(request));
                } catch (CloudEngineException e) {
                    result.completeExceptionally(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(
                            new CloudEngineException(Kind.UNAVAILABLE, "", "interrupted", null, e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(new CloudEngineException(Kind.RETRYABLE, "", e.toString(), null, e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new CloudEngineException(
                    Kind.UNAVAILABLE,
                    "",
                    engine.name() + ": " + policy.queue() + " segments already waiting; not sent",
                    null,
                    e));
        }
        return result;
    }

    private SegmentResult call(SegmentRequest request) throws CloudEngineException, InterruptedException {
        CloudEngineException last = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            if (!breaker.tryAcquire()) {
                throw new CloudEngineException(
                        Kind.UNAVAILABLE,
                        "",
                        engine.name() + ": circuit breaker open after repeated failures (" + breaker.reason() + ")",
                        null,
                        last);
            }
            limiter.acquire();
            attempts.incrementAndGet();
            try {
                SegmentResult result = engine.recognize(request);
                breaker.onSuccess();
                return result;
            } catch (CloudEngineException e) {
                last = e;
                switch (e.kind()) {
                    case AUTH -> {
                        if (!breaker.authFailure()) {
                            log.error(
                                    "{}: credentials refused ({}: {}). No call will be retried; sessions on this engine are refused "
                                            + "or fall back until a trial call succeeds. Check TENCENT_SECRET_ID / TENCENT_SECRET_KEY and the clock.",
                                    engine.name(),
                                    e.code(),
                                    e.getMessage());
                        }
                        breaker.onAuthFailure(e.code() + ": " + e.getMessage());
                        throw e;
                    }
                    case REJECTED, UNAVAILABLE -> {
                        breaker.onNeutral();
                        throw e;
                    }
                    case RETRYABLE -> {
                        if (attempt == policy.maxAttempts() || breaker.state() == CircuitBreaker.State.HALF_OPEN) {
                            breaker.onFailure(e.code() + ": " + e.getMessage());
                            throw e;
                        }
                        long cap = Math.min(
                                policy.maxBackoff().toMillis(), policy.backoff().toMillis() << (attempt - 1));
                        long delay = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1); // "equal jitter"
                        log.debug(
                                "{}: {} for {} (attempt {}), retrying in {} ms",
                                engine.name(),
                                e.code(),
                                request.segmentKey(),
                                attempt,
                                delay);
                        sleeper.sleep(delay);
                    }
                }
            }
        }
        throw last;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
