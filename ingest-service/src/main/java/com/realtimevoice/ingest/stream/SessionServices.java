package com.realtimevoice.ingest.stream;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.pipeline.AudioPublisher;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * What every {@link IngestSession} of the node shares: the token check, the pipeline (publisher, result routing),
 * the per-user counts, the node's identity and settings, and the meters. One per node, handed to each session by
 * {@link IngestSessions}.
 */
@Component
record SessionServices(
        TokenService tokens,
        AudioPublisher publisher,
        LocalSessions localSessions,
        StreamSessions counts,
        IngestNode node,
        IngestProperties properties,
        MeterRegistry meters,
        ResumeTokens resumeTokens,
        EffectiveOptions effectiveOptions,
        AudioMeters audio) {

    IngestProperties.Limits limits() {
        return properties.limits();
    }

    /** The counters of the audio received, looked up once: every chunk counts on them. */
    @Component
    static final class AudioMeters {
        final Counter chunks;
        final Counter bytes;

        AudioMeters(MeterRegistry meters) {
            this.chunks = meters.counter("ingest.audio.chunks");
            this.bytes = meters.counter("ingest.audio.bytes");
        }
    }
}
