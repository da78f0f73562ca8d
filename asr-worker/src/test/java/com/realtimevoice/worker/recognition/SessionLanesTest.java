package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.worker.WorkerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
        lanes.submit("stuck", () -> await(gate));
        int stuckLane = lanes.laneOf("stuck");
        List<String> sessions =
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "s" + i).toList();
        for (int i = 0; i < 200; i++) {
            for (String session : sessions) {
                int n = i;
                lanes.submit(
                        session,
                        () -> seen.computeIfAbsent(session, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(n));
            }
        }
        List<String> free =
                sessions.stream().filter(id -> lanes.laneOf(id) != stuckLane).toList();
        assertThat(free).as("the other threads took most sessions").hasSizeGreaterThanOrEqualTo(14);
        List<Integer> expected =
                java.util.stream.IntStream.range(0, 200).boxed().toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!free.stream().allMatch(id -> seen.getOrDefault(id, List.of()).size() == 200)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(free)
                .as("sessions on other threads ran while one session was stuck")
                .allSatisfy(id -> assertThat(seen.get(id)).isEqualTo(expected));
        gate.countDown();
        while (seen.values().stream().mapToInt(List::size).sum() < 20 * 200 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(seen)
                .hasSize(20)
                .allSatisfy((session, order) -> assertThat(order).isEqualTo(expected));
    }

    @Test
    void newSessionsGoToTheThreadsWithFewestOpenSessions() throws Exception {
        lanes = lanes(16, 1000);
        // By hash of the id, 3 of these sessions shared a thread about 1 time in 5; a final then waited for the other.
        for (int round = 0; round < 50; round++) {
            List<String> open = List.of("a" + round, "b" + round, "c" + round);
            for (String id : open) {
                lanes.submit(id, () -> {});
            }
            assertThat(open.stream().map(lanes::laneOf).distinct().count())
                    .as("round %d", round)
                    .isEqualTo(3);
            open.forEach(lanes::closed);
        }
        awaitQueued(0);
        assertThat(lanes.sessionsPerLane()).containsOnly(0);
    }

    @Test
    void aClosedSessionFreesItsThread() throws Exception {
        lanes = lanes(2, 1000);
        lanes.submit("a", () -> {});
        lanes.submit("b", () -> {});
        int laneOfA = lanes.laneOf("a");
        assertThat(lanes.laneOf("b")).isNotEqualTo(laneOfA);
        awaitQueued(0);
        lanes.closed("a");
        assertThat(lanes.laneOf("a")).isEqualTo(-1);
        lanes.submit("c", () -> {});
        assertThat(lanes.laneOf("c")).as("the thread a left").isEqualTo(laneOfA);
    }

    @Test
    void aSessionClosedWithEventsStillQueuedKeepsItsThreadForItsNextEvents() throws Exception {
        lanes = lanes(2, 1000);
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        lanes.submit("a", () -> await(gate));
        int laneOfA = lanes.laneOf("a");
        lanes.submit("a", () -> order.add(1));
        lanes.closed("a"); // e.g. its end was handled, and a replay's start is already behind it
        lanes.submit("b", () -> {}); // takes the free thread
        lanes.submit("a", () -> order.add(2));
        assertThat(lanes.laneOf("a")).isEqualTo(laneOfA);
        gate.countDown();
        awaitQueued(0);
        assertThat(order).containsExactly(1, 2);
        assertThat(lanes.sessionsPerLane()[laneOfA]).as("open again").isEqualTo(1);
    }

    @Test
    void twoListenersOpeningAndClosingSessionsLeaveEveryCountAtZeroAndEverySessionInOrder() throws Exception {
        lanes = lanes(4, 100_000);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        List<Thread> listeners = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int listener = t;
            listeners.add(new Thread(() -> {
                try {
                    for (int round = 0; round < 200; round++) {
                        String id = "l" + listener + "-" + (round % 20); // sessions come back: replays after a close
                        for (int i = 0; i < 10; i++) {
                            int n = round * 10 + i;
                            lanes.submit(
                                    id,
                                    () -> seen.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
                                            .add(n));
                        }
                        lanes.submit(
                                id, () -> lanes.closed(id)); // closed from its own thread, as the listener's task does
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        listeners.forEach(Thread::start);
        for (Thread t : listeners) {
            t.join(20_000);
        }
        awaitQueued(0);
        assertThat(lanes.sessionsPerLane()).containsOnly(0);
        assertThat(seen)
                .hasSize(40)
                .allSatisfy((id, order) -> assertThat(order).isSorted().hasSize(100));
        assertThat(seen.keySet()).allSatisfy(id -> assertThat(lanes.laneOf(id)).isEqualTo(-1));
    }

    @Test
    void submitWaitsWhileTheQueueIsFull() throws Exception {
        lanes = lanes(1, 2);
        CountDownLatch gate = new CountDownLatch(1);
        lanes.submit("a", () -> await(gate));
        lanes.submit("a", () -> {}); // one thread: "b" would share it anyway
        assertThat(lanes.queued()).isEqualTo(2);
        AtomicBoolean third = new AtomicBoolean();
        Thread listener = new Thread(() -> {
            try {
                lanes.submit("b", () -> {});
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

    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lanes.queued() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lanes.queued()).isEqualTo(n);
    }

    private static SessionLanes lanes(int threads, int maxQueued) {
        WorkerProperties properties = new WorkerProperties(
                "vosk",
                1,
                Duration.ofMinutes(10),
                new WorkerProperties.Vosk("", Path.of("unused")),
                new WorkerProperties.Topics(1, 1),
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
