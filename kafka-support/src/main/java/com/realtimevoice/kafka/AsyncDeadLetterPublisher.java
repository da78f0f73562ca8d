package com.realtimevoice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * A {@link DeadLetterPublishingRecoverer} (same {@code kafka_dlt-*} headers, same destinations) whose listener-side
 * sends do not wait for the broker: {@link #send} starts the send and returns its future, and the caller awaits it
 * before it commits past the record. At most {@code maxInFlight} are outstanding; one more waits for a slot.
 * <p>
 * Why (issue 18): a listener that dead-letters poison with {@link #accept} waits one broker round trip per record
 * (0.1-0.6 s on a loaded 2-core host) on the consumer thread, and every other partition of that consumer waits with
 * it: 15 poison records held bystander sessions' results 3-7 s. {@link #accept}, what error handlers call after
 * their retries, still waits, as Spring's does.
 */
public class AsyncDeadLetterPublisher extends DeadLetterPublishingRecoverer {

    /** Set while {@link #send} runs on this thread: {@link #publish} leaves the send's future here instead of waiting. */
    private static final ThreadLocal<CompletableFuture<?>[]> STARTED = new ThreadLocal<>();

    private final KafkaOperations<?, ?> template;
    private final Semaphore slots;
    private final int maxInFlight;
    private final Duration slotWait;

    /**
     * @param maxInFlight dead letters sent and not yet answered, at most
     * @param slotWait    how long {@link #send} waits for a slot before it gives up (a failed future)
     */
    public AsyncDeadLetterPublisher(
            KafkaOperations<?, ?> template,
            BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> destination,
            int maxInFlight,
            Duration slotWait) {
        super(template, destination);
        this.template = template;
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        this.slotWait = slotWait;
    }

    /**
     * Says, once and loudly on the caller's logger, that {@code record} leaves the normal flow for the dead-letter
     * topic (from where it can be replayed), and why.
     */
    public static void logDeadLettering(Logger log, ConsumerRecord<?, ?> record, String reason) {
        log.warn(
                "dead-lettering {}-{}@{} (key {}): {}",
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                reason);
    }

    /**
     * Starts dead-lettering {@code record}; never throws. The future completes when the broker has it, or fails
     * (refused, not answered within the producer's delivery timeout, no slot within the slot wait).
     */
    public CompletableFuture<?> send(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer, Exception why) {
        CompletableFuture<?>[] started = new CompletableFuture<?>[1];
        STARTED.set(started);
        try {
            accept(record, consumer, why);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            STARTED.remove();
        }
        return started[0] != null
                ? started[0]
                : CompletableFuture.failedFuture(new IllegalStateException("no dead letter was sent for "
                        + record.topic() + "-" + record.partition() + "@" + record.offset()));
    }

    /**
     * Fetches the dead-letter topics' metadata in the background, so that the first poison does not wait for it (a
     * send blocks on an unknown topic's metadata, and a service's first send also creates its producer: 1-5 s on a
     * loaded host, measured on the consumer thread in the fault harness).
     */
    public CompletableFuture<Void> warmUp(List<String> topics) {
        return CompletableFuture.runAsync(() -> {
            for (String topic : topics) {
                try {
                    template.partitionsFor(topic);
                } catch (RuntimeException e) { // the broker away: the first dead letter fetches it then
                    logger.debug(() -> "could not fetch the metadata of " + topic + ": " + e);
                }
            }
        });
    }

    /** Dead letters sent and not yet answered. */
    public int inFlight() {
        return maxInFlight - slots.availablePermits();
    }

    @Override
    protected void publish(
            ProducerRecord<Object, Object> out, KafkaOperations<Object, Object> template, ConsumerRecord<?, ?> in) {
        CompletableFuture<?>[] started = STARTED.get();
        if (started == null) {
            super.publish(out, template, in); // accept(): waits, as the error handlers expect
            return;
        }
        try {
            if (!slots.tryAcquire(slotWait.toMillis(), TimeUnit.MILLISECONDS)) {
                started[0] = CompletableFuture.failedFuture(new TimeoutException(
                        maxInFlight + " dead letters in flight for " + slotWait.toMillis() + " ms"));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started[0] = CompletableFuture.failedFuture(e);
            return;
        }
        CompletableFuture<?> sending;
        try {
            sending = template.send(out);
        } catch (RuntimeException e) { // e.g. no metadata for the topic within max.block.ms
            slots.release();
            started[0] = CompletableFuture.failedFuture(e);
            return;
        }
        sending.whenComplete((result, failure) -> slots.release());
        started[0] = sending;
    }
}
