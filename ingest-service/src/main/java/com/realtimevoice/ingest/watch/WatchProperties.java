package com.realtimevoice.ingest.watch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Live captions (ingest-service.yml, {@code ingest.watch}).
 *
 * @param tokenTtl              lifetime of a watch token ({@code WATCH_TOKEN_TTL}, 2 h)
 * @param maxWatchersPerSession watchers of one session on this node ({@code MAX_WATCHERS_PER_SESSION}, 1,000)
 * @param maxSockets            watch sockets on this node, all sessions ({@code INGEST_MAX_WATCH_SOCKETS})
 * @param grantWait             how long {@code POST .../watchers} waits for a session just started to be stored
 */
@ConfigurationProperties(prefix = "ingest.watch")
@Validated
public record WatchProperties(
        @NotNull Duration tokenTtl,
        @Min(1) @Max(1_000_000) int maxWatchersPerSession,
        @Min(1) @Max(10_000_000) int maxSockets,
        @NotNull Duration grantWait) {}
