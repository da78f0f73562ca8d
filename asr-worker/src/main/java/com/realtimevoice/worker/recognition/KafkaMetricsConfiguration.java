package com.realtimevoice.worker.recognition;

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

    static final String HOP_LATENCY_METER = "asr.worker.hop.latency";

    @Bean
    MeterFilter kafkaTopicMetricsOnce() {
        return KafkaMeters.topicMetricsOnce();
    }

    /** The hop ingest node -> this worker (asr.audio.v1), measured by the shared interceptor. */
    @Bean
    HopLatencyInterceptor hopLatencyInterceptor(MeterRegistry registry) {
        return new HopLatencyInterceptor(registry, HOP_LATENCY_METER);
    }
}
