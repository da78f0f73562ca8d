package com.realtimevoice.result.intake;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The hop worker -> this result service (asr.transcripts.v1), measured by the shared interceptor; the transcripts
 * listener is a batch listener, so each record of a poll is measured when the poll reaches it.
 */
@Component
class HopLatencyInterceptor extends com.realtimevoice.kafka.HopLatencyInterceptor {

    static final String METER = "result.hop.latency";

    HopLatencyInterceptor(MeterRegistry registry) {
        super(registry, METER);
    }
}
