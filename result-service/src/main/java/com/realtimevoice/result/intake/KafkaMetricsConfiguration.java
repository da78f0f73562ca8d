package com.realtimevoice.result.intake;

import com.realtimevoice.kafka.ConsumerMetricsConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * Each Kafka client metric once, and the hop worker -> this result service (asr.transcripts.v1) under its meter name;
 * the transcripts listener is a batch listener, so each record of a poll is measured when the poll reaches it.
 */
@Configuration(proxyBeanMethods = false)
class KafkaMetricsConfiguration extends ConsumerMetricsConfiguration {

    static final String HOP_LATENCY_METER = "result.hop.latency";

    @Override
    protected String hopLatencyMeter() {
        return HOP_LATENCY_METER;
    }
}
