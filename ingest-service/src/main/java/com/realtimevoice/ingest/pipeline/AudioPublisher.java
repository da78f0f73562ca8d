package com.realtimevoice.ingest.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.config.IngestProperties;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Publishes a session's lifecycle and audio to the audio topic, keyed by session id so that one
 * session's events stay in order on one partition (invariants 1 and 2).
 */
@Component
public class AudioPublisher {

    private final KafkaTemplate<String, byte[]> kafka;
    private final IngestProperties properties;
    private final Timer publishLatency;
    private final Counter audioSeconds;

    AudioPublisher(KafkaTemplate<String, byte[]> kafka, IngestProperties properties, MeterRegistry meters) {
        this.kafka = kafka;
        this.properties = properties;
        this.publishLatency = Timer.builder("ingest.kafka.publish.latency")
                .description("Time from handing an event to the producer until the broker acknowledged it")
                .publishPercentileHistogram()
                .register(meters);
        this.audioSeconds = Counter.builder("ingest.audio").baseUnit("seconds")
                .description("Seconds of audio accepted for recognition, streams and uploads (PCM chunks)")
                .register(meters);
    }

    /** Sends without waiting; the future completes when the broker has the record. */
    public CompletableFuture<SendResult<String, byte[]>> publish(PipelineEvent event) {
        if (event instanceof AudioChunk chunk && "pcm".equals(chunk.format()) && chunk.sampleRate() > 0) {
            audioSeconds.increment(chunk.audio().length / 2.0 / chunk.sampleRate());
        }
        long start = System.nanoTime();
        CompletableFuture<SendResult<String, byte[]>> sent;
        try {
            sent = kafka.send(EventRecords.toRecord(Topics.AUDIO, event));
        } catch (RuntimeException e) {
            // The producer refuses synchronously when the broker is away past max.block.ms: report it like any
            // failed send, so callers answer OVERLOADED rather than an internal error.
            return CompletableFuture.failedFuture(e);
        }
        return sent.whenComplete((r, e) -> {
            if (e == null) {
                publishLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Sends and waits for the broker's acknowledgement, for events a reply depends on (session start, end). */
    public void publishAndWait(PipelineEvent event) throws PublishFailedException {
        try {
            publish(event).get(properties.kafka().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new PublishFailedException("the message broker did not accept the event: " + e.getMessage(), e);
        }
    }

    public void publishChunk(AudioChunk chunk) {
        publish(chunk);
    }

    public static class PublishFailedException extends Exception {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
