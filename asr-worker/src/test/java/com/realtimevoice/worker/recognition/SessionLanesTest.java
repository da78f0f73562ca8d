package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.realtimevoice.worker.WorkerProperties;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class SessionLanesTest {

    private SessionLanes lanes;

    @AfterEach
    void close() {
        lanes.destroy();
    }

    @Test
    void eachSessionRunsInOrderAndSessionsRunSideBySide() throws Exception {
        lanes = lanes(4, 10_000);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(20 * 200);
        lanes.submit("stuck", () -> await(gate));
        List<String> sessions = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "s" + i)
                .filter(id -> lanes.laneOf(id) != lanes.laneOf("stuck")).limit(20).toList();
        for (int i = 0; i < 200; i++) {
            for (String session : sessions) {
                int n = i;
                lanes.submit(session, () -> {
                    seen.computeIfAbsent(session, k -> Collections.synchronizedList(new ArrayList<>())).add(n);
                    done.countDown();
                });
            }
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).as("sessions on other threads ran while one session was stuck").isTrue();
        gate.countDown();
        List<Integer> expected = java.util.stream.IntStream.range(0, 200).boxed().toList();
        assertThat(seen).hasSize(20).allSatisfy((session, order) -> assertThat(order).isEqualTo(expected));
    }

    @Test
    void submitWaitsWhileTheQueueIsFull() throws Exception {
        lanes = lanes(1, 2);
        CountDownLatch gate = new CountDownLatch(1);
        lanes.submit("a", () -> await(gate));
        lanes.submit("a", () -> { }); // one thread: "b" would share it anyway
        assertThat(lanes.queued()).isEqualTo(2);
        AtomicBoolean third = new AtomicBoolean();
        Thread listener = new Thread(() -> {
            try {
                lanes.submit("b", () -> { });
                third.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        listener.start();
        Thread.sleep(300);
        assertThat(third).as("waits for room").isFalse();
        gate.countDown();
        listener.join(5000);
        assertThat(third).isTrue();
    }

    private static SessionLanes lanes(int threads, int maxQueued) {
        WorkerProperties properties = new WorkerProperties("vosk", 1, Duration.ofSeconds(5), Duration.ofMinutes(10),
                new WorkerProperties.Vosk("", Path.of("unused")), new WorkerProperties.Topics(1, 1),
                new WorkerProperties.Engines(threads, maxQueued));
        return new SessionLanes(properties, new RecognitionMetrics(new SimpleMeterRegistry()));
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
