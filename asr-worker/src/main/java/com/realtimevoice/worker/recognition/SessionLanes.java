package com.realtimevoice.worker.recognition;

import com.realtimevoice.worker.WorkerProperties;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Where recognition runs: each session on one of a fixed set of threads, so each session's events run in order,
 * always on the same thread, and sessions on different threads run side by side. On the listener thread a Vosk final
 * (hundreds of ms) held up every other session of its partition (head-of-line blocking); here it holds up only the
 * sessions that share its thread.
 *
 * <p>A session's thread is chosen when its first event comes: the one with the fewest open sessions. Chosen by a hash
 * of the id instead, two of three sessions shared a thread ~18 % of the time with 16 threads, and a final then
 * waited for the other session's recognition while other threads idled. A session keeps its thread until it is
 * closed (or has had no event for {@link #IDLE_RELEASE_NANOS}) and has nothing queued, as it kept its partition's
 * listener thread before: its recognizer and decoders never move between threads mid-session.
 *
 * <p>The number of events dispatched and not yet run is bounded: past it {@link #submit} waits, which stalls the
 * listener and leaves the backlog in Kafka rather than in the heap.
 */
@Component
class SessionLanes implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionLanes.class);
    /** A session with no event for this long stops counting on its thread (evicted, moved away, its node died). */
    static final long IDLE_RELEASE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ExecutorService[] lanes;
    private final Semaphore capacity;
    private final int maxQueued;
    /**
     * Lock-free on purpose: a lock taken per chunk by the listeners and by the (low-priority) engine threads let a
     * preempted engine thread stall a listener, and with it its partitions, on a saturated machine.
     */
    private final Map<String, Assignment> assigned = new ConcurrentHashMap<>();

    private final AtomicIntegerArray sessionsOn;
    private final AtomicInteger tieBreak = new AtomicInteger();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    private volatile boolean closed;

    /**
     * A session's thread, and in one int: how many of its events are queued or running there (state / 2) and
     * whether it is open (state % 2); {@link #RELEASED} once it is closed with nothing queued, when it leaves the map.
     */
    private static final class Assignment {
        static final int RELEASED = -1;
        final int lane;
        final AtomicInteger state = new AtomicInteger(1); // open, nothing queued
        volatile long lastEventNanos;

        Assignment(int lane) {
            this.lane = lane;
        }
    }

    SessionLanes(WorkerProperties properties, RecognitionMetrics metrics) {
        int threads = properties.engines().threads();
        this.maxQueued = properties.engines().maxQueued();
        this.capacity = new Semaphore(maxQueued);
        this.lanes = new ExecutorService[threads];
        this.sessionsOn = new AtomicIntegerArray(threads);
        for (int i = 0; i < threads; i++) {
            String name = "asr-engine-" + (i + 1);
            lanes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                // Recognition is throughput work; the threads that move records and sockets are latency work. Where
                // the JVM maps priorities to nice values (Linux: -XX:ThreadPriorityPolicy=1), a busy engine pool then
                // cannot delay a final's way to the client. Elsewhere this is a no-op.
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });
        }
        metrics.queuedEvents(this, SessionLanes::queued);
    }

    /** The thread (0 .. threads-1) a session's events run on, or -1 while it has none. */
    int laneOf(String sessionId) {
        Assignment a = assigned.get(sessionId);
        return a == null || a.state.get() == Assignment.RELEASED ? -1 : a.lane;
    }

    /** Open sessions counted on each thread. */
    int[] sessionsPerLane() {
        int[] counts = new int[sessionsOn.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = sessionsOn.get(i);
        }
        return counts;
    }

    /**
     * Queues an event of the session behind its earlier ones; waits while {@code maxQueued} events are pending.
     *
     * @throws InterruptedException when the listener is being stopped while it waits (the event was not queued)
     */
    void submit(String sessionId, Runnable event) throws InterruptedException {
        while (!capacity.tryAcquire(1, TimeUnit.SECONDS)) {
            if (closed) {
                throw new InterruptedException("engine pool closed");
            }
        }
        Assignment a = acquire(sessionId);
        lanes[a.lane].execute(() -> {
            try {
                event.run();
            } catch (RuntimeException e) { // the event's own handling reports failures; this is a bug
                log.error("Session {}: event failed on the engine pool", sessionId, e);
            } finally {
                finished(sessionId, a);
                capacity.release();
            }
        });
    }

    /**
     * The session is closed (ended, failed, dropped): it stops counting on its thread once its queued events have run.
     * An event for it after this (a replay) picks a thread again.
     */
    void closed(String sessionId) {
        Assignment a = assigned.get(sessionId);
        if (a == null) {
            return;
        }
        while (true) {
            int s = a.state.get();
            if (s == Assignment.RELEASED || (s & 1) == 0) {
                return; // closed already
            }
            int next = s == 1 ? Assignment.RELEASED : s - 1;
            if (a.state.compareAndSet(s, next)) {
                sessionsOn.decrementAndGet(a.lane);
                if (next == Assignment.RELEASED) {
                    assigned.remove(sessionId, a);
                }
                return;
            }
        }
    }

    private Assignment acquire(String sessionId) {
        long now = System.nanoTime();
        long swept = lastSweep.get();
        if (now - swept > SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(swept, now)) {
            sweep(now);
        }
        while (true) {
            Assignment a = assigned.get(sessionId);
            if (a == null) {
                Assignment fresh = new Assignment(leastLoaded());
                fresh.state.set(3); // open, this event queued
                fresh.lastEventNanos = now;
                if (assigned.putIfAbsent(sessionId, fresh) == null) {
                    sessionsOn.incrementAndGet(fresh.lane);
                    return fresh;
                }
                continue;
            }
            int s = a.state.get();
            if (s == Assignment.RELEASED) { // nothing of it queued any more: it may start anywhere
                assigned.remove(sessionId, a);
                continue;
            }
            // Closed with events still queued (a replay's start behind its end): stays where they are, in order.
            if (a.state.compareAndSet(s, (s + 2) | 1)) {
                if ((s & 1) == 0) {
                    sessionsOn.incrementAndGet(a.lane);
                }
                a.lastEventNanos = now;
                return a;
            }
        }
    }

    private void finished(String sessionId, Assignment a) {
        while (true) {
            int s = a.state.get();
            int next = s == 2 ? Assignment.RELEASED : s - 2; // 2: closed, this was its last queued event
            if (a.state.compareAndSet(s, next)) {
                if (next == Assignment.RELEASED) {
                    assigned.remove(sessionId, a);
                }
                return;
            }
        }
    }

    /** The fewest open sessions; among equals, round robin, so idle threads take turns. */
    private int leastLoaded() {
        int n = sessionsOn.length();
        int from = Math.floorMod(tieBreak.getAndIncrement(), n);
        int best = from;
        for (int k = 1; k < n; k++) {
            int i = (from + k) % n;
            if (sessionsOn.get(i) < sessionsOn.get(best)) {
                best = i;
            }
        }
        return best;
    }

    /** Sessions that went quiet without being closed here (idle-evicted, moved away, their node died). */
    private void sweep(long now) {
        assigned.forEach((id, a) -> {
            int s = a.state.get();
            if (s >= 0
                    && s <= 1
                    && now - a.lastEventNanos > IDLE_RELEASE_NANOS
                    && a.state.compareAndSet(s, Assignment.RELEASED)) {
                if (s == 1) {
                    sessionsOn.decrementAndGet(a.lane);
                }
                assigned.remove(id, a);
            }
        });
    }

    /** Events dispatched and not yet finished. */
    int queued() {
        return maxQueued - capacity.availablePermits();
    }

    @Override
    public void destroy() {
        closed = true;
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
    }
}
