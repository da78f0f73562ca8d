package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.kafka.KafkaMeters;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each Kafka client metric once: the consumer's deprecated copy of its per-topic metrics is dropped (see KafkaMeters). */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration {

    @Bean
    MeterFilter kafkaTopicMetricsOnce() {
        return KafkaMeters.topicMetricsOnce();
    }
}
