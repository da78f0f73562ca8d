package com.realtimevoice.result.intake;

import com.realtimevoice.events.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Registers the delivery counters at start, at zero, for every type {@link Delivery} sends: a dashboard or an
 * alert on {@code result="failed"} then has a series before the first failure. {@link ResultMetrics} increments
 * the same meters.
 */
@Component
class ResultMeterDefaults {

    ResultMeterDefaults(MeterRegistry registry) {
        for (EventType type : new EventType[] {
            EventType.TRANSCRIPT_PARTIAL,
            EventType.TRANSCRIPT_FINAL,
            EventType.SESSION_COMPLETED,
            EventType.SESSION_FAILED
        }) {
            for (String result : new String[] {"delivered", "failed"}) {
                Counter.builder("result.deliveries")
                        .tag("type", type.token())
                        .tag("result", result)
                        .description("Results sent to ingest nodes' delivery topics")
                        .register(registry);
            }
        }
    }
}
