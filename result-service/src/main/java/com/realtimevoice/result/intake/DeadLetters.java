package com.realtimevoice.result.intake;

import java.nio.charset.StandardCharsets;

import com.realtimevoice.events.Topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.stereotype.Component;

/**
 * Sends records to {@code <topic>.dlt}: the listener at once for poison, the error handler once a transient
 * failure outlived its retries. Each carries Spring's {@code kafka_dlt-*} headers (original topic, partition,
 * offset, exception) and {@link IntakeKafkaConfiguration#REASON_HEADER}. Partition -1: the dead-letter topic need
 * not have as many partitions as the source. Returns once the broker has the record, so the source offset is
 * committed only after (at-least-once).
 */
@Component
class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final DeadLetterPublishingRecoverer recoverer;
    private final Counter poison;
    private final Counter retriesExhausted;

    DeadLetters(KafkaTemplate<String, byte[]> template, MeterRegistry meters) {
        this.recoverer = new DeadLetterPublishingRecoverer(template,
                (record, ex) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
        recoverer.addHeadersFunction((record, ex) -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(IntakeKafkaConfiguration.REASON_HEADER,
                    IntakeKafkaConfiguration.reason(ex).getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        this.poison = Counter.builder("result.dead.letters").tag("cause", "poison")
                .description("Records sent to the dead-letter topic: poison at once, or after the retries").register(meters);
        this.retriesExhausted = Counter.builder("result.dead.letters").tag("cause", "retries_exhausted")
                .description("Records sent to the dead-letter topic: poison at once, or after the retries").register(meters);
    }

    /** Poison: a failure no retry can fix. Throws (a KafkaException) if the dead-letter topic did not take it. */
    void poison(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        send(record, consumer, why);
        poison.increment();
    }

    /** For the error handler: a transient failure that outlived its retries. */
    void retriesExhausted(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        send(record, consumer, why);
        retriesExhausted.increment();
    }

    private void send(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        // Said once, loudly: the record leaves the normal flow here (and can be replayed from the DLT).
        log.warn("dead-lettering {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(),
                record.key(), IntakeKafkaConfiguration.reason(why));
        recoverer.accept(record, consumer, why);
    }
}
