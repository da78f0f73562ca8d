package com.realtimevoice.worker.recognition;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import com.realtimevoice.worker.WorkerProperties;

/**
 * Where recognition runs: one lane per session on a pool shared by all, so each session's events run in order and
 * sessions run side by side. On the listener thread a Vosk final (hundreds of ms) held up every other session of its
 * partition (head-of-line blocking); here it holds up its own session only.
 *
 * <p>A lane runs a few events, then goes to the back of the pool's queue, so a session with a backlog cannot keep a
 * thread from the others. The number of events dispatched and not yet run is bounded: past it {@link #submit} waits,
 * which stalls the listener and leaves the backlog in Kafka rather than in the heap.
 */
@Component
class SessionLanes implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionLanes.class);
    /** Events a lane runs before it yields its thread to the next lane. */
    private static final int BURST = 8;

    private final ThreadPoolExecutor pool;
    private final Semaphore capacity;
    private final int maxQueued;
    /** Lanes with events queued or running; guarded by {@code this}. */
    private final Map<String, Lane> lanes = new HashMap<>();
    private volatile boolean closed;

    SessionLanes(WorkerProperties properties, RecognitionMetrics metrics) {
        int threads = properties.engines().threads();
        this.maxQueued = properties.engines().maxQueued();
        this.capacity = new Semaphore(maxQueued);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "asr-engine-" + n.incrementAndGet());
            t.setDaemon(true);
            // Recognition is throughput work; the threads that move records and sockets are latency work. Where the
            // JVM maps priorities to nice values (Linux: -XX:ThreadPriorityPolicy=1), a busy engine pool then
            // cannot delay a final's way to the client. Elsewhere this is a no-op.
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        metrics.queuedEvents(this, SessionLanes::queued);
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
        boolean start;
        Lane lane;
        synchronized (this) {
            lane = lanes.computeIfAbsent(sessionId, Lane::new);
            lane.events.addLast(event);
            start = !lane.scheduled;
            lane.scheduled = true;
        }
        if (start) {
            pool.execute(lane);
        }
    }

    /** Events dispatched and not yet finished. */
    int queued() {
        return maxQueued - capacity.availablePermits();
    }

    @Override
    public void destroy() {
        closed = true;
        pool.shutdownNow();
    }

    private final class Lane implements Runnable {

        private final String sessionId;
        private final Deque<Runnable> events = new ArrayDeque<>();
        private boolean scheduled;

        Lane(String sessionId) {
            this.sessionId = sessionId;
        }

        @Override
        public void run() {
            for (int i = 0; i < BURST; i++) {
                Runnable next;
                synchronized (SessionLanes.this) {
                    next = events.pollFirst();
                    if (next == null) {
                        scheduled = false;
                        lanes.remove(sessionId);
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) { // the event's own handling reports failures; this is a bug
                    log.error("Session {}: event failed on the engine pool", sessionId, e);
                } finally {
                    capacity.release();
                }
            }
            if (!closed) {
                pool.execute(this); // still scheduled: to the back of the queue, behind the other sessions
            }
        }
    }
}
