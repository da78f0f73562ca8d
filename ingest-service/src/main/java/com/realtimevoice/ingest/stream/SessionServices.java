package com.realtimevoice.ingest.stream;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.pipeline.AudioPublisher;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What every {@link IngestSession} of the node shares: the token check, the pipeline (publisher, result routing),
 * the per-user counts, the node's identity and settings, and the meters. Built once by {@link IngestSessions}.
 */
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
        Counter chunks,
        Counter audioBytes) {

    IngestProperties.Limits limits() {
        return properties.limits();
    }
}
