package com.realtimevoice.worker.recognition;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import com.realtimevoice.worker.WorkerProperties;

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
    /** Guarded by itself, as are {@link #sessionsOn} and {@link #lastSweep}. */
    private final Map<String, Assignment> assigned = new HashMap<>();
    private final int[] sessionsOn;
    private long lastSweep = System.nanoTime();
    private int nextTieBreak;
    private volatile boolean closed;

    /** A session's thread, how many of its events are queued or running there, and whether it is still open. */
    private static final class Assignment {
        final int lane;
        int pending;
        boolean open = true;
        long lastEventNanos;

        Assignment(int lane) {
            this.lane = lane;
        }
    }

    SessionLanes(WorkerProperties properties, RecognitionMetrics metrics) {
        int threads = properties.engines().threads();
        this.maxQueued = properties.engines().maxQueued();
        this.capacity = new Semaphore(maxQueued);
        this.lanes = new ExecutorService[threads];
        this.sessionsOn = new int[threads];
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
        synchronized (assigned) {
            Assignment a = assigned.get(sessionId);
            return a == null ? -1 : a.lane;
        }
    }

    /** Open sessions counted on each thread. */
    int[] sessionsPerLane() {
        synchronized (assigned) {
            return sessionsOn.clone();
        }
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
        synchronized (assigned) {
            Assignment a = assigned.get(sessionId);
            if (a != null && a.open) {
                a.open = false;
                sessionsOn[a.lane]--;
                if (a.pending == 0) {
                    assigned.remove(sessionId);
                }
            }
        }
    }

    private Assignment acquire(String sessionId) {
        long now = System.nanoTime();
        synchronized (assigned) {
            if (now - lastSweep > SWEEP_INTERVAL_NANOS) {
                sweep(now);
            }
            Assignment a = assigned.get(sessionId);
            if (a == null) {
                a = new Assignment(leastLoaded());
                sessionsOn[a.lane]++;
                assigned.put(sessionId, a);
            } else if (!a.open) { // closed with events still queued: stays where they are, so they keep their order
                a.open = true;
                sessionsOn[a.lane]++;
            }
            a.pending++;
            a.lastEventNanos = now;
            return a;
        }
    }

    private void finished(String sessionId, Assignment a) {
        synchronized (assigned) {
            a.pending--;
            if (a.pending == 0 && !a.open && assigned.get(sessionId) == a) {
                assigned.remove(sessionId);
            }
        }
    }

    /** Holding the lock. The fewest open sessions; among equals, round robin, so idle threads take turns. */
    private int leastLoaded() {
        int best = -1;
        for (int k = 0; k < sessionsOn.length; k++) {
            int i = (nextTieBreak + k) % sessionsOn.length;
            if (best < 0 || sessionsOn[i] < sessionsOn[best]) {
                best = i;
            }
        }
        nextTieBreak = (best + 1) % sessionsOn.length;
        return best;
    }

    /** Holding the lock: sessions that went quiet without being closed here (idle-evicted, moved away, node died). */
    private void sweep(long now) {
        lastSweep = now;
        for (Iterator<Assignment> it = assigned.values().iterator(); it.hasNext(); ) {
            Assignment a = it.next();
            if (a.pending == 0 && now - a.lastEventNanos > IDLE_RELEASE_NANOS) {
                if (a.open) {
                    sessionsOn[a.lane]--;
                }
                it.remove();
            }
        }
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
