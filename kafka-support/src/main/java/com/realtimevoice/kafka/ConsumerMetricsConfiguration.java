package com.realtimevoice.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The Kafka meters of a service that consumes the pipeline's records: the Kafka clients' own metrics
 * ({@link KafkaClientMetricsConfiguration}), and the per-hop latency of what it consumes under the service's own meter
 * name. A service extends it with a {@code @Configuration} that names the meter.
 */
@Import(KafkaClientMetricsConfiguration.class)
public abstract class ConsumerMetricsConfiguration {

    /** The hop latency timer's name in this service. */
    protected abstract String hopLatencyMeter();

    @Bean
    public HopLatencyInterceptor hopLatencyInterceptor(MeterRegistry registry) {
        return new HopLatencyInterceptor(registry, hopLatencyMeter());
    }
}
