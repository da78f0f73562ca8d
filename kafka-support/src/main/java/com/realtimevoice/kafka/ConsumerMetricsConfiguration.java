package com.realtimevoice.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.context.annotation.Bean;

/**
 * The Kafka meters of a service that consumes the pipeline's records: each Kafka client metric once, and the per-hop
 * latency of what it consumes under the service's own meter name. A service extends it with a
 * {@code @Configuration} that names the meter.
 */
public abstract class ConsumerMetricsConfiguration {

    /** The hop latency timer's name in this service. */
    protected abstract String hopLatencyMeter();

    @Bean
    public MeterFilter kafkaTopicMetricsOnce() {
        return KafkaMeters.topicMetricsOnce();
    }

    @Bean
    public HopLatencyInterceptor hopLatencyInterceptor(MeterRegistry registry) {
        return new HopLatencyInterceptor(registry, hopLatencyMeter());
    }
}
