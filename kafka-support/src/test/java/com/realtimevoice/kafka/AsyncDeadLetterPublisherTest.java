package com.realtimevoice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The listener-side send does not wait for the broker, at most {@code maxInFlight} are unanswered, and a refusal
 * reaches the caller through the future. Kafka's own {@link MockProducer} (its test producer) holds each answer
 * until the test gives it.
 */
class AsyncDeadLetterPublisherTest {

    /** Answers only when the test says; stays open (the template closes its producer after each send, as a shared one). */
    final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
                @Override
                public void close(Duration timeout) {}
            };

    final KafkaTemplate<String, byte[]> template = new KafkaTemplate<>(() -> producer);
    final AsyncDeadLetterPublisher publisher = new AsyncDeadLetterPublisher(
            template, (record, e) -> new TopicPartition(record.topic() + ".dlt", -1), 2, Duration.ofMillis(100));

    @Test
    void sendReturnsBeforeTheBrokerAnswersAndTheFutureCarriesTheAnswer() throws Exception {
        CompletableFuture<?> first = publisher.send(record(1), null, new IllegalStateException("poison"));
        CompletableFuture<?> second = publisher.send(record(2), null, new IllegalStateException("poison"));

        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(publisher.inFlight()).isEqualTo(2);
        assertThat(producer.history()).hasSize(2);
        assertThat(producer.history().get(0).topic()).isEqualTo("audio.dlt");
        assertThat(producer.history().get(0).headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET))
                .isNotNull();

        assertThat(producer.completeNext()).isTrue();
        first.get();
        assertThat(producer.errorNext(new RecordTooLargeException("too large"))).isTrue();
        assertThat(second).isCompletedExceptionally();
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aSendPastTheLimitWaitsForASlotThenFails() throws Exception {
        publisher.send(record(1), null, new IllegalStateException("poison"));
        publisher.send(record(2), null, new IllegalStateException("poison"));

        CompletableFuture<?> third = publisher.send(record(3), null, new IllegalStateException("poison"));

        assertThat(third).isCompletedExceptionally();
        assertThat(third.handle((ok, failure) -> failure).get()).isInstanceOf(TimeoutException.class);
        assertThat(producer.history()).hasSize(2);

        producer.completeNext(); // a slot frees: the next one goes
        assertThat(publisher.send(record(4), null, new IllegalStateException("poison")))
                .isNotDone();
        assertThat(producer.history()).hasSize(3);
    }

    @Test
    void acceptStillWaitsForTheBroker() {
        Thread broker = new Thread(() -> {
            try {
                Thread.sleep(300);
                while (!producer.completeNext()) {
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        broker.start();
        long t0 = System.nanoTime();

        publisher.accept(record(1), null, new IllegalStateException("retries spent"));

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(producer.history()).hasSize(1);
        assertThat(publisher.inFlight()).isZero();
    }

    private static ConsumerRecord<String, byte[]> record(long offset) {
        return new ConsumerRecord<>("audio", 0, offset, "session-1", new byte[] {1, 2, 3});
    }
}
