package com.realtimevoice.worker.recognition;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** The hop ingest node -> this worker (asr.audio.v1), measured by the shared interceptor. */
@Component
class HopLatencyInterceptor extends com.realtimevoice.kafka.HopLatencyInterceptor {

    static final String METER = "asr.worker.hop.latency";

    HopLatencyInterceptor(MeterRegistry registry) {
        super(registry, METER);
    }
}
