package com.realtimevoice.result.intake;

import com.realtimevoice.kafka.HopLatencyInterceptor;
import com.realtimevoice.kafka.KafkaMeters;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Each Kafka client metric once: the consumer's deprecated copy of its per-topic metrics is dropped (see KafkaMeters); and
 * the per-hop latency of the records this service consumes.
 */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration {

    static final String HOP_LATENCY_METER = "result.hop.latency";

    @Bean
    MeterFilter kafkaTopicMetricsOnce() {
        return KafkaMeters.topicMetricsOnce();
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
