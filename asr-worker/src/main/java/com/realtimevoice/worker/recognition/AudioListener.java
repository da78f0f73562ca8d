package com.realtimevoice.worker.recognition;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import com.realtimevoice.worker.WorkerProperties;

/**
 * Consumes the audio topic and publishes what the recognizers make of it on the transcripts topic, keyed by
 * session id. Returns only once Kafka has acknowledged every output, so the container commits the record's
 * offset only after its results are durable (at-least-once; downstream overwrites by (session, index)).
 */
@Component
class AudioListener {

    private final SessionRecognizers recognizers;
    private final KafkaTemplate<String, byte[]> kafka;
    private final long sendTimeoutMs;

    AudioListener(SessionRecognizers recognizers, KafkaTemplate<String, byte[]> kafka, WorkerProperties properties) {
        this.recognizers = recognizers;
        this.kafka = kafka;
        this.sendTimeoutMs = properties.sendTimeout().toMillis();
    }

    /** Malformed records throw {@code MalformedEventException}: the error handler sends them to the dead-letter topic. */
    @KafkaListener(topics = Topics.AUDIO, concurrency = "${asr.worker.concurrency}")
    void onAudio(ConsumerRecord<String, byte[]> record) {
        PipelineEvent event = EventRecords.fromRecord(record);
        publish(recognizers.handle(event));
    }

    private void publish(List<PipelineEvent> outputs) {
        if (outputs.isEmpty()) {
            return; // most chunks: nothing recognised yet
        }
        // One producer, one key: Kafka keeps these in order; waiting once for all of them is enough.
        CompletableFuture<?>[] sends = new CompletableFuture<?>[outputs.size()];
        for (int i = 0; i < sends.length; i++) {
            sends[i] = kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, outputs.get(i)));
        }
        try {
            CompletableFuture.allOf(sends).get(sendTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + Topics.TRANSCRIPTS, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + Topics.TRANSCRIPTS + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing to " + Topics.TRANSCRIPTS + " took over " + sendTimeoutMs + " ms", e);
        }
    }
}
