package com.realtimevoice.worker.recognition;

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
 * Where recognition runs: each session on one of a fixed set of threads (chosen by its id), so each session's events
 * run in order, always on the same thread, and sessions on different threads run side by side. On the listener
 * thread a Vosk final (hundreds of ms) held up every other session of its partition (head-of-line blocking); here it
 * holds up only the sessions that share its thread (1 in {@code threads}).
 *
 * <p>A session stays on one thread, as it did on its partition's listener thread: its recognizer and decoders never
 * move between threads mid-session. The number of events dispatched and not yet run is bounded: past it
 * {@link #submit} waits, which stalls the listener and leaves the backlog in Kafka rather than in the heap.
 */
@Component
class SessionLanes implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionLanes.class);

    private final ExecutorService[] lanes;
    private final Semaphore capacity;
    private final int maxQueued;
    private volatile boolean closed;

    SessionLanes(WorkerProperties properties, RecognitionMetrics metrics) {
        int threads = properties.engines().threads();
        this.maxQueued = properties.engines().maxQueued();
        this.capacity = new Semaphore(maxQueued);
        this.lanes = new ExecutorService[threads];
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

    /** The thread (0 .. threads-1) a session's events run on. */
    int laneOf(String sessionId) {
        return Math.floorMod(sessionId.hashCode(), lanes.length);
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
        lanes[laneOf(sessionId)].execute(() -> {
            try {
                event.run();
            } catch (RuntimeException e) { // the event's own handling reports failures; this is a bug
                log.error("Session {}: event failed on the engine pool", sessionId, e);
            } finally {
                capacity.release();
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
