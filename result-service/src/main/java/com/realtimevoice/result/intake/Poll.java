package com.realtimevoice.result.intake;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll's records and what handling them has left so far: the record being handled, the partitions a transient
 * failure holds, whether the database is away, the group waiting to be written ({@link PendingGroup}) and the sends
 * to await ({@link PollSends}). One per listener call, never shared.
 */
final class Poll {

    private static final Logger log = LoggerFactory.getLogger(Poll.class);

    private final List<ConsumerRecord<String, byte[]>> records;
    /** For the dead-letter headers (the group id); null in unit tests. */
    private final Consumer<?, ?> consumer;

    private final PendingGroup group = new PendingGroup();
    private final PollSends sends;
    /** The record being handled: what its deliveries are counted against. */
    private int current;
    /** Partitions held by a transient failure: the first offset of each to read again; their later records wait. */
    private final Map<TopicPartition, Long> held = new HashMap<>();
    /** The database cannot be reached: every record from here on waits, without a connection attempt each. */
    private boolean databaseAway;

    Poll(
            List<ConsumerRecord<String, byte[]>> records,
            Consumer<?, ?> consumer,
            Delivery delivery,
            WatcherDelivery watchers,
            DeadLetters deadLetters) {
        this.records = records;
        this.consumer = consumer;
        this.sends = new PollSends(this, delivery, watchers, deadLetters);
    }

    int size() {
        return records.size();
    }

    ConsumerRecord<String, byte[]> record(int index) {
        return records.get(index);
    }

    Consumer<?, ?> consumer() {
        return consumer;
    }

    PendingGroup group() {
        return group;
    }

    PollSends sends() {
        return sends;
    }

    /** From here on, record {@code index} is the one being handled. */
    void handling(int index) {
        current = index;
    }

    int current() {
        return current;
    }

    TopicPartition partition(int index) {
        ConsumerRecord<String, byte[]> record = records.get(index);
        return new TopicPartition(record.topic(), record.partition());
    }

    /** Whether record {@code index} must wait: the database is away, or a record before it on its partition failed. */
    boolean waits(int index) {
        return databaseAway || held.containsKey(partition(index));
    }

    boolean databaseAway() {
        return databaseAway;
    }

    void databaseIsAway() {
        databaseAway = true;
    }

    /** Holds the record's partition from the record, or from an earlier one if held already. */
    void hold(int index, RuntimeException cause) {
        if (cause != null) {
            ConsumerRecord<String, byte[]> record = records.get(index);
            log.warn(
                    "{}-{}@{} (key {}) failed transiently: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    IntakeKafkaConfiguration.reason(cause));
        }
        held.merge(partition(index), records.get(index).offset(), Math::min);
    }

    /** The partitions held, with the first offset of each to read again. */
    Map<TopicPartition, Long> held() {
        return held;
    }
}
