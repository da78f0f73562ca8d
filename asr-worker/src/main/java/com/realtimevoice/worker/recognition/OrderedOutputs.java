package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.TranscriptFinal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * One session's queue of outputs that complete out of order (segment 3's cloud call may return before segment 2's)
 * but must be published in order: each slot is published once it and every slot before it are done. The last slot
 * is the session's {@code session.completed}, built when its turn comes so that it counts the finals published.
 * A {@code session.failed} ends the queue: nothing after it is published.
 */
final class OrderedOutputs {

    private final String sessionId;
    private final AsyncOutputs sink;
    private final Deque<Slot> slots = new ArrayDeque<>();
    private int finals;
    private boolean stopped;

    private record Slot(CompletableFuture<List<PipelineEvent>> outputs, IntFunction<PipelineEvent> completion) {}

    OrderedOutputs(String sessionId, AsyncOutputs sink) {
        this.sessionId = sessionId;
        this.sink = sink;
    }

    /** Queues outputs that will complete later (the future must not fail: failures are outputs too). */
    void add(CompletableFuture<List<PipelineEvent>> outputs) {
        synchronized (this) {
            slots.addLast(new Slot(outputs, null));
        }
        outputs.whenComplete((r, e) -> drain());
    }

    /** Queues the session's last output, built from the number of finals published before it. */
    void complete(IntFunction<PipelineEvent> completion) {
        synchronized (this) {
            slots.addLast(new Slot(CompletableFuture.completedFuture(List.of()), completion));
        }
        drain();
    }

    synchronized boolean stopped() {
        return stopped;
    }

    synchronized int pending() {
        return slots.size();
    }

    private synchronized void drain() {
        while (!slots.isEmpty() && slots.peekFirst().outputs().isDone()) {
            Slot slot = slots.removeFirst();
            if (stopped) {
                continue;
            }
            List<PipelineEvent> out;
            try {
                out = new ArrayList<>(slot.outputs().getNow(List.of()));
            } catch (RuntimeException e) { // a bug, not an engine failure (those are outputs): fail the session loudly
                out = new ArrayList<>(List.of(new SessionFailed(
                        sessionId, "INTERNAL", "recognition failed: " + e.getMessage(), System.currentTimeMillis())));
            }
            if (slot.completion() != null) {
                out.add(slot.completion().apply(finals));
            }
            for (PipelineEvent e : out) {
                if (e instanceof TranscriptFinal) {
                    finals++;
                } else if (e instanceof SessionFailed) {
                    stopped = true;
                }
            }
            if (!out.isEmpty()) {
                sink.publish(out);
            }
        }
    }
}
