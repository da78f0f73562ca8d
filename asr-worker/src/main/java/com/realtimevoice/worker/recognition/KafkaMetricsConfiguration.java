package com.realtimevoice.worker.recognition;

import com.realtimevoice.kafka.ConsumerMetricsConfiguration;
import org.springframework.context.annotation.Configuration;

/** Each Kafka client metric once, and the hop ingest node -> this worker (asr.audio.v1) under its meter name. */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration extends ConsumerMetricsConfiguration {

    static final String HOP_LATENCY_METER = "asr.worker.hop.latency";

    @Override
    protected String hopLatencyMeter() {
        return HOP_LATENCY_METER;
    }
}
