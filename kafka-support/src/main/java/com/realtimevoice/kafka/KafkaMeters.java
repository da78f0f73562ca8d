package com.realtimevoice.kafka;

import com.realtimevoice.events.Topics;
import io.micrometer.core.instrument.config.MeterFilter;

/** Meter settings every service that runs Kafka clients registers as beans. */
public final class KafkaMeters {

    private KafkaMeters() {}

    /** Each Kafka client metric once: the consumer's deprecated copy of its per-topic metrics is dropped (see Topics). */
    public static MeterFilter topicMetricsOnce() {
        return MeterFilter.deny(
                id -> id.getName().startsWith("kafka.") && Topics.isDeprecatedMetricSpelling(id.getTag("topic")));
    }
}
