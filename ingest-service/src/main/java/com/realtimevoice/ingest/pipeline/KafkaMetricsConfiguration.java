package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.kafka.KafkaClientMetricsConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The Kafka clients' own metrics, each once and refreshed (see KafkaClientMetricsConfiguration). */
@Configuration(proxyBeanMethods = false)
@Import(KafkaClientMetricsConfiguration.class)
class KafkaMetricsConfiguration {}
