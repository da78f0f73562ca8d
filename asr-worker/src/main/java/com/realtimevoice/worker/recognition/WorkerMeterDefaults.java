package com.realtimevoice.worker.recognition;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Registers the worker's tagged error counters at start, at zero: dashboards and alerts then see every code
 * (and {@code rate()} has a starting point) before the first failure. {@link RecognitionMetrics} increments
 * the same meters.
 */
@Component
class WorkerMeterDefaults {

    WorkerMeterDefaults(MeterRegistry registry) {
        for (String code : new String[] {
            WorkerSessions.ENGINE_UNAVAILABLE,
            WorkerSessions.SESSION_NOT_FOUND,
            WorkerSessions.UNSUPPORTED_FORMAT,
            WorkerSessions.UNPROCESSABLE,
            "DEAD_LETTERED",
            "INTERNAL"
        }) {
            registry.counter("asr.worker.errors", "code", code);
        }
    }
}
