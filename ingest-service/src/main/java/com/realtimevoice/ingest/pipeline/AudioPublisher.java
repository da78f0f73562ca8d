package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.ingest.config.IngestProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Publishes a session's lifecycle and audio to the audio topic, keyed by session id so that one
 * session's events stay in order on one partition (invariants 1 and 2).
 *
 * <p>Lifecycle events are sent through the observed template: a span each, whose W3C {@code traceparent} the
 * producer record carries. Audio chunks (ten a second per stream) are not observed, which cost a tenth of the
 * pipeline's CPU at load; each carries its session's {@code traceparent} instead, so the session's records still
 * form one trace from service to service. Both templates share the one producer, so a session's order holds.
 *
 * <p>The producer lingers ({@code linger.ms}, 5 by default) so that chunks travel in batches: at 3,000 chunks a
 * second about 9 records a produce request instead of 3, so fewer requests for the broker. Events a reply waits for (start, resume, end) are not
 * left to linger: {@link #publishAndWait} asks a flusher thread to send everything buffered at once. The flush
 * runs off the caller's thread because it blocks until the broker answers, with no timeout of its own; the caller
 * still waits at most {@code ingest.kafka.send-timeout}.
 */
@Component
public class AudioPublisher {

    private static final Logger log = LoggerFactory.getLogger(AudioPublisher.class);
    static final String TRACEPARENT = "traceparent";
    private static final int MAX_TRACED_SESSIONS = 100_000;

    private final KafkaTemplate<String, byte[]> kafka;
    /** Same producer, no observation: for audio chunks. */
    private final KafkaTemplate<String, byte[]> chunks;
    /** The traceparent of each open session's start (or resume) on this node. */
    private final Map<String, Header> sessionTraces = new ConcurrentHashMap<>();

    private final IngestProperties properties;
    private final Timer publishLatency;
    private final Counter audioSeconds;
    private final Semaphore flushWanted = new Semaphore(0);
    /** Audio handed to the producer and not yet acknowledged or failed, on this node. */
    private final java.util.concurrent.atomic.AtomicLong audioInFlight = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Past this, audio is refused before it reaches the producer: a full producer buffer would block the caller (a
     * socket thread) for max.block.ms. Three quarters of buffer.memory leaves room for lifecycle events.
     */
    private final long maxAudioInFlight;

    private final Thread flusher;

    AudioPublisher(KafkaTemplate<String, byte[]> kafka, IngestProperties properties, MeterRegistry meters) {
        this.kafka = kafka;
        this.chunks = new KafkaTemplate<>(kafka.getProducerFactory());
        this.properties = properties;
        this.publishLatency = Timer.builder("ingest.kafka.publish.latency")
                .description("Time from handing an event to the producer until the broker acknowledged it")
                .publishPercentileHistogram()
                .register(meters);
        this.audioSeconds = Counter.builder("ingest.audio")
                .baseUnit("seconds")
                .description("Seconds of audio accepted for recognition, streams and uploads (PCM chunks)")
                .register(meters);
        Object bufferMemory =
                kafka.getProducerFactory().getConfigurationProperties().get("buffer.memory");
        this.maxAudioInFlight =
                (bufferMemory == null ? 32L * 1024 * 1024 : Long.parseLong(bufferMemory.toString())) * 3 / 4;
        io.micrometer.core.instrument.Gauge.builder(
                        "ingest.kafka.audio.in.flight", audioInFlight, java.util.concurrent.atomic.AtomicLong::get)
                .baseUnit("bytes")
                .description("Audio handed to the producer and not acknowledged by the broker yet")
                .register(meters);
        this.flusher = new Thread(this::flushWhenAsked, "ingest-producer-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    private void flushWhenAsked() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                flushWanted.acquire();
                flushWanted.drainPermits(); // one flush sends what every waiting caller published
                kafka.flush();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the callers' own futures report the failure; the next request flushes again
                log.debug("producer flush failed: {}", e.toString());
            }
        }
    }

    /**
     * Creates the producer and fetches the audio topic's metadata before the first client comes: sends no longer
     * wait on the broker (start, resume and end are answered at once), so the first one must not pay for this.
     */
    @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    void warmUp() {
        try {
            kafka.partitionsFor(Topics.AUDIO);
        } catch (RuntimeException e) {
            log.warn("the producer could not fetch the audio topic's metadata yet: {}", e.toString());
        }
    }

    @PreDestroy
    void stopFlusher() {
        flusher.interrupt();
    }

    /** Whether the producer has room for {@code bytes} more audio without blocking (a broker outage fills it). */
    public boolean hasRoomFor(int bytes) {
        return audioInFlight.get() + bytes <= maxAudioInFlight;
    }

    /**
     * Sends without waiting and asks for an immediate flush (no linger): for events a client waits on (start, resume,
     * end). The future completes when the broker has it; during a broker outage the producer keeps it, in order with
     * the session's audio, up to delivery.timeout.ms.
     */
    public CompletableFuture<SendResult<String, byte[]>> publishUrgent(PipelineEvent event) {
        CompletableFuture<SendResult<String, byte[]>> sent = publish(event);
        flushWanted.release();
        return sent;
    }

    /** Sends without waiting; the future completes when the broker has the record. */
    public CompletableFuture<SendResult<String, byte[]>> publish(PipelineEvent event) {
        if (event instanceof AudioChunk chunk) {
            if ("pcm".equals(chunk.format()) && chunk.sampleRate() > 0) {
                audioSeconds.increment(chunk.audio().length / 2.0 / chunk.sampleRate());
            }
            int length = chunk.audio().length;
            audioInFlight.addAndGet(length);
            return send(event).whenComplete((r, e) -> audioInFlight.addAndGet(-length));
        }
        return send(event);
    }

    private CompletableFuture<SendResult<String, byte[]>> send(PipelineEvent event) {
        long start = System.nanoTime();
        CompletableFuture<SendResult<String, byte[]>> sent;
        try {
            ProducerRecord<String, byte[]> record = EventRecords.toRecord(Topics.AUDIO, event);
            Header trace = event instanceof AudioChunk ? sessionTraces.get(event.sessionId()) : null;
            if (trace != null) {
                record.headers().add(trace);
                sent = chunks.send(record);
            } else {
                sent = kafka.send(record); // observed: the span's traceparent is added to the record's headers
                remember(event, record);
            }
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

    private void remember(PipelineEvent event, ProducerRecord<String, byte[]> record) {
        if (event instanceof SessionStarted || event instanceof SessionResumed) {
            Header trace = record.headers().lastHeader(TRACEPARENT);
            if (trace != null) {
                if (sessionTraces.size() >= MAX_TRACED_SESSIONS) {
                    // Sessions that never ended here (a failure, a resume elsewhere) leave entries; this bounds them.
                    // Their chunks then go through the observed template, which is correct, only dearer.
                    sessionTraces.clear();
                }
                sessionTraces.put(event.sessionId(), trace);
            }
        } else if (event instanceof SessionEnded) {
            sessionTraces.remove(event.sessionId());
        }
    }

    /** Sends and waits for the broker's acknowledgement, for events a reply depends on (session start, end). */
    public void publishAndWait(PipelineEvent event) throws PublishFailedException {
        try {
            CompletableFuture<SendResult<String, byte[]>> sent = publish(event);
            flushWanted.release();
            sent.get(properties.kafka().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new PublishFailedException("the message broker did not accept the event: " + e.getMessage(), e);
        }
    }

    public static class PublishFailedException extends Exception {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
