package com.realtimevoice.result.intake;

import com.realtimevoice.events.Topics;
import com.realtimevoice.kafka.HopLatencyInterceptor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Each Kafka client metric once: the consumer's deprecated copy of its per-topic metrics is dropped (see Topics); and
 * the per-hop latency of the records this service consumes.
 */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration {

    static final String HOP_LATENCY_METER = "result.hop.latency";

    @Bean
    MeterFilter kafkaTopicMetricsOnce() {
        return MeterFilter.deny(id -> id.getName().startsWith("kafka.") && Topics.isDeprecatedMetricSpelling(id.getTag("topic")));
    }

    /**
     * The hop worker -> this result service (asr.transcripts.v1), measured by the shared interceptor; the transcripts
     * listener is a batch listener, so each record of a poll is measured when the poll reaches it.
     */
    @Bean
    HopLatencyInterceptor hopLatencyInterceptor(MeterRegistry registry) {
        return new HopLatencyInterceptor(registry, HOP_LATENCY_METER);
    }
}
