package com.realtimevoice.ingest.stream;

import com.realtimevoice.protocol.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Registers the node's counters at start, at zero, so that dashboards and alerts see every series (an error code
 * nobody has hit yet, a resume nobody has asked for) instead of "no data", and {@code rate()} has a starting
 * point. The handlers increment the same meters by name and tags: a meter keeps the tag keys it is registered
 * with here.
 */
@Component
class StreamMeters {

    StreamMeters(MeterRegistry meters) {
        for (ErrorCode code : ErrorCode.values()) {
            meters.counter("ingest.errors", "code", code.name());
        }
        for (String outcome : new String[] {"completed", "failed"}) {
            meters.counter("ingest.sessions.ended", "outcome", outcome);
        }
        for (String result : new String[] {"accepted", "refused"}) {
            meters.counter("ingest.sessions.resumed", "result", result);
        }
        for (String result : new String[] {"delivered", "no_socket"}) {
            meters.counter("ingest.deliveries", "result", result);
        }
        meters.counter("ingest.sessions.started");
        meters.counter("ingest.audio.chunks");
        meters.counter("ingest.audio.bytes");
    }
}
