package com.realtimevoice.worker.engine.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.worker.engine.CloudEngineException;
import com.realtimevoice.worker.engine.CloudEngineException.Kind;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.SegmentEngine;
import com.realtimevoice.worker.engine.SegmentRequest;
import com.realtimevoice.worker.engine.SegmentResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Executor, rate limit, retries with jitter, circuit breaker: a scripted engine, a fake clock for the breaker. */
class CloudCallsTest {

    private final Scripted engine = new Scripted();
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());
    private CloudCalls calls;

    @AfterEach
    void close() {
        if (calls != null) {
            calls.close();
        }
    }

    private CloudCalls calls(double rps, int attempts, int threshold) {
        CallPolicy policy = new CallPolicy(
                2, 4, rps, attempts, Duration.ofMillis(200), Duration.ofSeconds(3), threshold, Duration.ofSeconds(30));
        calls = new CloudCalls(engine, policy, System::nanoTime, nowMs::get, sleeps::add);
        return calls;
    }

    @Test
    void retriesThrottlingAndServerErrorsWithJitteredBackoffThenSucceeds() throws Exception {
        calls(1000, 4, 5);
        engine.script("RequestLimitExceeded", "InternalError", "ok");
        SegmentResult r = calls.submit(request()).get(5, TimeUnit.SECONDS);
        assertThat(r.text()).isEqualTo("ok");
        assertThat(calls.attempts()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(100L, 200L); // 200 ms, equal jitter
        assertThat(sleeps.get(1)).isBetween(200L, 400L); // doubled
        assertThat(engine.threads).allMatch(t -> t.startsWith("scripted-asr-"));
        assertThat(engine.threads).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void refusedCredentialsAreNotRetriedAndRefuseNewSessions() {
        calls(1000, 4, 5);
        engine.script("AuthFailure.SecretIdNotFound");
        assertThat(failure(calls.submit(request())).kind()).isEqualTo(Kind.AUTH);
        assertThat(calls.attempts()).isEqualTo(1);
        assertThatThrownBy(() -> calls.checkSession(null))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("credentials refused")
                .hasMessageContaining("AuthFailure.SecretIdNotFound");
    }

    @Test
    void rejectedRequestsAreNotRetriedNorCountedAgainstTheService() {
        calls(1000, 4, 1);
        engine.script("FailedOperation.ErrorRecognize", "ok");
        assertThat(failure(calls.submit(request())).kind()).isEqualTo(Kind.REJECTED);
        assertThat(calls.available()).isTrue();
        assertThat(calls.attempts()).isEqualTo(1);
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresFailsFastThenTriesAgain() throws Exception {
        calls(1000, 2, 3);
        for (int k = 0; k < 3; k++) {
            engine.script("InternalError", "InternalError");
            assertThat(failure(calls.submit(request())).kind()).isEqualTo(Kind.RETRYABLE);
        }
        assertThat(calls.available()).isFalse();
        int before = calls.attempts();
        CloudEngineException fast = failure(calls.submit(request()));
        assertThat(fast.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(fast.getMessage()).contains("circuit breaker open");
        assertThat(calls.attempts()).as("no call while open").isEqualTo(before);

        nowMs.addAndGet(30_000); // open-for elapsed: one trial call goes out
        engine.script("ok");
        assertThat(calls.submit(request()).get(5, TimeUnit.SECONDS).text()).isEqualTo("ok");
        assertThat(calls.available()).isTrue();
    }

    @Test
    void aFailedTrialOpensTheBreakerAgainWithoutRetrying() {
        calls(1000, 4, 1);
        engine.script("InternalError", "InternalError", "InternalError", "InternalError");
        failure(calls.submit(request()));
        nowMs.addAndGet(30_000);
        engine.script("InternalError", "ok");
        int before = calls.attempts();
        assertThat(failure(calls.submit(request())).kind()).isEqualTo(Kind.RETRYABLE);
        assertThat(calls.attempts() - before).isEqualTo(1);
        assertThat(calls.available()).isFalse();
    }

    @Test
    void requestsStayWithinTheRateLimit() throws Exception {
        calls(10, 1, 5); // 10 requests/s: a burst of 10, then one every 100 ms
        long start = System.nanoTime();
        List<CompletableFuture<SegmentResult>> all = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 4; j++) {
                engine.script("ok");
            }
            for (int j = 0; j < 4; j++) {
                all.add(calls.submit(request()));
            }
            for (CompletableFuture<SegmentResult> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        // 16 requests at 10/s with a burst of 10: at least 6 * 100 ms
        assertThat(ms).isGreaterThanOrEqualTo(550);
    }

    @Test
    void aFullQueueRefusesWithoutBlockingTheCaller() throws Exception {
        calls(1000, 1, 5);
        CountDownLatch release = new CountDownLatch(1);
        engine.block = release;
        List<CompletableFuture<SegmentResult>> all = new ArrayList<>();
        for (int k = 0; k < 10; k++) { // 2 threads + 4 queued; the rest are refused at once
            engine.script("ok");
            all.add(calls.submit(request()));
        }
        long refused = all.stream().filter(f -> f.isCompletedExceptionally()).count();
        assertThat(refused).isEqualTo(4);
        assertThat(failure(all.get(9)).kind()).isEqualTo(Kind.UNAVAILABLE);
        release.countDown();
        all.get(0).get(5, TimeUnit.SECONDS);
    }

    private static CloudEngineException failure(CompletableFuture<SegmentResult> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (CloudEngineException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    private static SegmentRequest request() {
        return new SegmentRequest("s-0", null, new byte[3200], 16000, null, 0);
    }

    /** Answers from a script: "ok" succeeds, anything else is an error code classified like Tencent's. */
    static final class Scripted implements SegmentEngine {
        final ConcurrentLinkedDeque<String> script = new ConcurrentLinkedDeque<>();
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch block;

        void script(String... answers) {
            script.addAll(List.of(answers));
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public CallPolicy policy() {
            return null;
        }

        @Override
        public void checkSession(String language) {}

        @Override
        public int sampleRate(String language) {
            return 16000;
        }

        @Override
        public boolean acceptsMp3(String language, int rate) {
            return false;
        }

        @Override
        public SegmentResult recognize(SegmentRequest request) throws CloudEngineException {
            threads.add(Thread.currentThread().getName());
            if (block != null) {
                try {
                    block.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String answer = script.poll();
            if (answer == null || answer.equals("ok")) {
                return new SegmentResult("ok", List.of(), 100, "req");
            }
            Kind kind = answer.startsWith("AuthFailure")
                    ? Kind.AUTH
                    : answer.startsWith("FailedOperation") ? Kind.REJECTED : Kind.RETRYABLE;
            throw new CloudEngineException(kind, answer, answer, "req", null);
        }
    }
}
