package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.Topics;

import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each Kafka client metric once: the consumer's deprecated copy of its per-topic metrics is dropped (see Topics). */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration {

    @Bean
    MeterFilter kafkaTopicMetricsOnce() {
        return MeterFilter.deny(id -> id.getName().startsWith("kafka.") && Topics.isDeprecatedMetricSpelling(id.getTag("topic")));
    }
}
