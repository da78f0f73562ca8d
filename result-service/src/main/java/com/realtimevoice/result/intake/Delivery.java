package com.realtimevoice.result.intake;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Route;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends a result to the one ingest node that holds the session's socket, on that node's own topic (never a
 * broadcast). Sending does not wait: the listener sends a whole poll's results, then {@link #await awaits} the
 * broker's acks (within the delivery timeout) before it returns, so the offsets are committed only after.
 * One producer, records keyed by session: a session's results reach its node in the order they were sent.
 * The one publisher on the delivery topics: the API's messages to a node ({@link #sendAndWait}) go through it too.
 */
@Component
public class Delivery {

    static final String TRACEPARENT = "traceparent";

    private final KafkaTemplate<String, byte[]> template;
    private final Duration timeout;
    private final ResultMetrics metrics;

    Delivery(KafkaTemplate<String, byte[]> template, ResultServiceProperties properties, ResultMetrics metrics) {
        this.template = template;
        this.timeout = properties.deliveryTimeout();
        this.metrics = metrics;
    }

    /** How long {@link #await} may wait, in all, for one batch's sends. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Starts sending; never throws (a send that fails at once is a failed {@link Sending}). The
     * {@code result.deliveries} counter records what the broker answered, when it answers.
     */
    Sending send(Route route, PipelineEvent event) {
        return send(route, event, null);
    }

    /**
     * As {@link #send(Route, PipelineEvent)}, continuing the trace of the record the result came from: its W3C
     * {@code traceparent} travels on (a batch listener has no per-record observation to do it).
     */
    Sending send(Route route, PipelineEvent event, Headers cause) {
        String type = EventType.of(event).token();
        CompletableFuture<?> ack;
        try {
            ProducerRecord<String, byte[]> record = EventRecords.toRecord(route.replyTopic(), event);
            Header trace = cause == null ? null : cause.lastHeader(TRACEPARENT);
            if (trace != null) {
                record.headers().add(trace);
            }
            ack = template.send(record);
        } catch (RuntimeException e) { // e.g. no metadata for the topic within max.block.ms
            ack = CompletableFuture.failedFuture(e);
        }
        ack.whenComplete((result, failure) -> metrics.delivery(type, failure == null ? "delivered" : "failed"));
        return new Sending(ack, type, event.sessionId(), route.replyTopic());
    }

    /**
     * A send not attempted because one to the same topic failed at once (e.g. the topic has no metadata within
     * max.block.ms: the ingest node is gone): counted as failed, without waiting max.block.ms once more.
     */
    Sending failed(Route route, PipelineEvent event, Throwable cause) {
        String type = EventType.of(event).token();
        metrics.delivery(type, "failed");
        return new Sending(CompletableFuture.failedFuture(cause), type, event.sessionId(), route.replyTopic());
    }

    /**
     * Waits for one send's ack until {@code deadlineNanos} ({@link System#nanoTime()} based).
     *
     * @throws DeliveryFailedException if the broker refused it or did not answer in time
     */
    void await(Sending sending, long deadlineNanos) {
        try {
            sending.ack().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailedException("interrupted while delivering " + sending.describe(), e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new DeliveryFailedException(
                    "could not deliver " + sending.describe() + " within " + timeout + ": " + cause, cause);
        }
    }

    /**
     * A message outside the intake's polls (the API telling a watching node its tokens are revoked): sent, then
     * waited for up to {@code wait}. Not counted in {@code result.deliveries} (not a result). A send refused at once
     * (no metadata for the topic) is thrown as it comes.
     *
     * @throws DeliveryFailedException if the broker refused it or did not answer in time; the cause says why
     */
    public void sendAndWait(Route route, PipelineEvent event, Duration wait) {
        CompletableFuture<?> ack = template.send(EventRecords.toRecord(route.replyTopic(), event));
        try {
            ack.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException | CancellationException e) {
            throw new DeliveryFailedException(
                    "could not deliver " + EventType.of(event).token() + " of session " + event.sessionId() + " to "
                            + route.replyTopic() + " within " + wait,
                    e);
        }
    }

    /** A send on its way: the broker's answer to come, and what it was, for the error message. */
    record Sending(CompletableFuture<?> ack, String type, String sessionId, String topic) {

        String describe() {
            return type + " of session " + sessionId + " to " + topic;
        }
    }
}
