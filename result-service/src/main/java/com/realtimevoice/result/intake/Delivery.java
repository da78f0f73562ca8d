package com.realtimevoice.result.intake;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Route;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends a result to the one ingest node that holds the session's socket, on that node's own topic (never a
 * broadcast), and waits for the broker's ack: the listener returns, and the offset is committed, only after.
 */
@Component
class Delivery {

    private final KafkaTemplate<String, byte[]> template;
    private final Duration timeout;
    private final ResultMetrics metrics;

    Delivery(KafkaTemplate<String, byte[]> template, ResultServiceProperties properties, ResultMetrics metrics) {
        this.template = template;
        this.timeout = properties.deliveryTimeout();
        this.metrics = metrics;
    }

    void deliver(Route route, PipelineEvent event) {
        String type = EventType.of(event).token();
        ProducerRecord<String, byte[]> record = EventRecords.toRecord(route.replyTopic(), event);
        try {
            template.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            metrics.delivery(type, "delivered");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.delivery(type, "failed");
            throw new DeliveryFailedException("interrupted while delivering " + type + " of session "
                    + event.sessionId() + " to " + route.replyTopic(), e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            metrics.delivery(type, "failed");
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new DeliveryFailedException("could not deliver " + type + " of session " + event.sessionId()
                    + " to " + route.replyTopic() + " within " + timeout + ": " + cause, cause);
        }
    }
}
