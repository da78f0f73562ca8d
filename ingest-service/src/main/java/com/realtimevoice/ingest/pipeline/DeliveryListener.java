package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchRevoked;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.watch.WatchHub;
import com.realtimevoice.kafka.AsyncDeadLetterPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads this node's own delivery topic (asr.delivery.v1.<nodeId>): result-service sends here only the results
 * of sessions whose socket this node holds, already stored.
 */
@Component
class DeliveryListener {

    private static final Logger log = LoggerFactory.getLogger(DeliveryListener.class);

    private final LocalSessions sessions;
    private final MeterRegistry meters;
    private final AsyncDeadLetterPublisher deadLetters;

    private final IngestNode node;
    private final WatchHub watchers;

    DeliveryListener(
            LocalSessions sessions,
            MeterRegistry meters,
            AsyncDeadLetterPublisher deliveryDeadLetters,
            IngestNode node,
            WatchHub watchers) {
        this.node = node;
        this.watchers = watchers;
        this.sessions = sessions;
        this.meters = meters;
        this.deadLetters = deliveryDeadLetters;
    }

    /** At start, in the background: the first poison then neither creates the producer nor waits for metadata. */
    @EventListener(ApplicationReadyEvent.class)
    void warmUpDeadLetters() {
        deadLetters.warmUp(List.of(Topics.deadLetter(node.deliveryTopic())));
    }

    /**
     * Poison (a record that cannot be decoded, or an event that does not belong on a delivery topic) is dead-lettered
     * here, at once: thrown to the error handler it would seek every partition of the poll back and re-poll them
     * for each poison record, holding every other session's results behind it. Its session fails upstream (the
     * worker and result-service dead-letter what they cannot take, and tell the client UNPROCESSABLE).
     * <p>
     * The dead letter is not awaited: one broker round trip per poison record on this thread (one thread reads the
     * node's delivery partitions) held every socket's results 3 s for 15 poison records (issue 18). The offset may
     * be committed before the broker has it; a send the broker refuses is logged with the record's coordinates
     * and counted ({@code ingest.deliveries{result=dead_letter_failed}}). Nothing stored is at stake: result-service
     * stores every result before it delivers it, so what cannot be decoded here was never one of its results.
     */
    @KafkaListener(
            id = "delivery",
            topics = "#{@ingestNode.deliveryTopic()}",
            groupId = "#{@ingestNode.deliveryGroup()}",
            concurrency = "${ingest.kafka.delivery-concurrency}")
    void onResult(ConsumerRecord<String, byte[]> record, Consumer<?, ?> consumer) {
        PipelineEvent event;
        try {
            event = EventRecords.fromRecord(record);
            if (!(event instanceof TranscriptPartial
                    || event instanceof TranscriptFinal
                    || event instanceof SessionCompleted
                    || event instanceof SessionFailed
                    || event instanceof SpeechStarted
                    || event instanceof WatchSynced
                    || event instanceof WatchRevoked)) {
                throw new MalformedEventException("unexpected event on a delivery topic: "
                        + event.getClass().getSimpleName());
            }
        } catch (MalformedEventException e) {
            AsyncDeadLetterPublisher.logDeadLettering(log, record, e.getMessage());
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            deadLetters.send(record, consumer, e).whenComplete((sent, failure) -> {
                if (failure == null) {
                    meters.counter("ingest.deliveries", "result", "dead_lettered")
                            .increment();
                } else {
                    log.error("could not dead-letter {}: {}", where, failure.toString());
                    meters.counter("ingest.deliveries", "result", "dead_letter_failed")
                            .increment();
                }
            });
            return;
        }
        // Live captions: this node's watchers of the session, if any, get it too (once per node, fanned out here).
        boolean watched = watchers.onEvent(event);
        if (event instanceof WatchSynced || event instanceof WatchRevoked) {
            return;
        }
        ResultSink sink = sessions.sink(event.sessionId());
        if (sink == null) {
            if (watched) {
                return;
            }
            // The socket is gone (client left, or the session moved); the result is stored, so nothing is lost.
            meters.counter("ingest.deliveries", "result", "no_socket").increment();
            log.debug(
                    "no local socket for session {} ({})",
                    event.sessionId(),
                    event.getClass().getSimpleName());
            return;
        }
        long created = EventRecords.createdAt(record.headers());
        if (created > 0) {
            meters.timer("ingest.delivery.hop.latency")
                    .record(java.time.Duration.ofMillis(Math.max(0, System.currentTimeMillis() - created)));
        }
        if (event instanceof TranscriptPartial p) {
            sink.onPartial(p);
        } else if (event instanceof TranscriptFinal f) {
            sink.onFinal(f);
        } else if (event instanceof SessionCompleted c) {
            sink.onCompleted(c);
        } else if (event instanceof SessionFailed f) {
            sink.onFailed(f);
        } else if (event instanceof SpeechStarted s) {
            sink.onSpeechStarted(s);
        }
        meters.counter("ingest.deliveries", "result", "delivered").increment();
    }
}
