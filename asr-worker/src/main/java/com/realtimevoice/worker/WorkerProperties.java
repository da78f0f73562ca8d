package com.realtimevoice.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Everything configurable about the worker. Defaults and environment variables live in
 * {@code asr-worker.yml}; a bad value fails the start with the property name in the message.
 *
 * @param defaultEngine      engine for sessions that do not ask for one ({@code ASR_ENGINE})
 * @param concurrency        listener threads, each owning a share of the audio partitions ({@code ASR_WORKER_CONCURRENCY})
 * @param sessionIdleTimeout state of a session that has seen no event for this long is dropped (its end was lost)
 * @param engines            where recognition runs: a pool shared by all sessions, each session's events in order
 */
@ConfigurationProperties(prefix = "asr.worker")
@Validated
public record WorkerProperties(
        @NotBlank String defaultEngine,
        @Min(1) @Max(64) int concurrency,
        @NotNull @DurationMin(seconds = 1) Duration sessionIdleTimeout,
        @Valid @NotNull Vosk vosk,
        @Valid @NotNull Topics topics,
        @Valid @NotNull Engines engines) {

    /**
     * The listener threads only dispatch: each session's events run in order on this pool, sessions side by side,
     * so a long recognition (a Vosk final) holds up its own session only, not the others on its partition.
     *
     * @param threads   pool threads shared by all sessions ({@code ASR_ENGINE_THREADS})
     * @param maxQueued events dispatched and not yet recognised, over all sessions; past it the listener waits, so
     *                  a worker that falls behind leaves the backlog in Kafka, not in its heap ({@code ASR_ENGINE_MAX_QUEUED})
     */
    public record Engines(
            @Min(1) @Max(1024) int threads,
            @Min(1) @Max(1_000_000) int maxQueued) {}

    /**
     * @param modelPath a directory holding any Vosk model ({@code ASR_VOSK_MODEL_PATH}); empty: the bundled English model
     * @param cacheDir  where the bundled model is unpacked on first use ({@code ASR_VOSK_CACHE_DIR})
     */
    public record Vosk(String modelPath, @NotNull Path cacheDir) {

        public boolean hasModelPath() {
            return modelPath != null && !modelPath.isBlank();
        }
    }

    /**
     * How the topics this worker declares are created (existing topics are left as they are).
     *
     * @param partitions        partitions of the audio and transcripts topics: the ceiling on worker parallelism ({@code ASR_TOPIC_PARTITIONS})
     * @param replicationFactor {@code KAFKA_REPLICATION_FACTOR}; 3 in production so that losing a broker loses nothing
     */
    public record Topics(
            @Min(1) @Max(10_000) int partitions,
            @Min(1) @Max(32_767) int replicationFactor) {}
}
