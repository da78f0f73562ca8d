package com.realtimevoice.result.intake;

import com.realtimevoice.events.Topics;
import com.realtimevoice.kafka.AsyncDeadLetterPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends records to {@code <topic>.dlt}: the listener at once for poison, the error handler once a transient
 * failure outlived its retries. Each carries Spring's {@code kafka_dlt-*} headers (original topic, partition,
 * offset, exception) and {@link IntakeKafkaConfiguration#REASON_HEADER}. Partition -1: the dead-letter topic need
 * not have as many partitions as the source. Poison is sent without waiting (the listener awaits the returned
 * futures with its deliveries, before the poll's offsets are committed: at-least-once); after the retries the error
 * handler's send waits for the broker.
 */
@Component
class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    /** Poison in flight at most: a poll's worth (500) of dead letters goes out together. */
    static final int MAX_IN_FLIGHT = 1000;

    private final AsyncDeadLetterPublisher recoverer;
    private final Counter poison;
    private final Counter retriesExhausted;

    DeadLetters(KafkaTemplate<String, byte[]> template, MeterRegistry meters) {
        this.recoverer = new AsyncDeadLetterPublisher(
                template,
                (record, ex) -> new TopicPartition(Topics.deadLetter(record.topic()), -1),
                MAX_IN_FLIGHT,
                Duration.ofSeconds(10));
        recoverer.addHeadersFunction((record, ex) -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(
                    IntakeKafkaConfiguration.REASON_HEADER,
                    IntakeKafkaConfiguration.reason(ex).getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        this.poison = Counter.builder("result.dead.letters")
                .tag("cause", "poison")
                .description("Records sent to the dead-letter topic: poison at once, or after the retries")
                .register(meters);
        this.retriesExhausted = Counter.builder("result.dead.letters")
                .tag("cause", "retries_exhausted")
                .description("Records sent to the dead-letter topic: poison at once, or after the retries")
                .register(meters);
    }

    /**
     * Poison: a failure no retry can fix. Starts the send and returns at once; the future fails if the dead-letter
     * topic did not take it. A synchronous send here cost a broker round trip per record on the consumer thread,
     * holding every other session of the poll (issue 18).
     */
    CompletableFuture<?> poison(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        logged(record, why);
        CompletableFuture<?> sending = recoverer.send(record, consumer, why);
        poison.increment();
        return sending;
    }

    /** At start, in the background: the first poison then neither creates the producer nor waits for metadata. */
    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        recoverer.warmUp(List.of(Topics.deadLetter(Topics.TRANSCRIPTS)));
    }

    /** For the error handler: a transient failure that outlived its retries. Waits for the broker. */
    void retriesExhausted(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        logged(record, why);
        recoverer.accept(record, consumer, why);
        retriesExhausted.increment();
    }

    private static void logged(ConsumerRecord<?, ?> record, Exception why) {
        AsyncDeadLetterPublisher.logDeadLettering(log, record, IntakeKafkaConfiguration.reason(why));
    }
}
