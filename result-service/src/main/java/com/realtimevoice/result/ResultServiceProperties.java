package com.realtimevoice.result;

import com.realtimevoice.auth.TokenSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the result service reads from its environment (see result-service.yml for the variable names).
 * Public because the feature packages read their own part of it.
 *
 * @param topicPartitions   partitions of the transcripts topic (ASR_TOPIC_PARTITIONS): caps how many result
 *                          services can share the work
 * @param replicationFactor replication of the topics this service declares (KAFKA_REPLICATION_FACTOR)
 * @param deliveryTimeout   how long the listener waits for a delivery send before it counts as failed
 * @param routeCacheSize    sessions whose route is kept in memory; older ones are read back from the database
 * @param batch             how the transcripts listener groups a poll's events into database writes
 */
@ConfigurationProperties("result-service")
@Validated
public record ResultServiceProperties(
        @Min(1) int topicPartitions,
        @Min(1) @Max(Short.MAX_VALUE) int replicationFactor,
        @NotNull Duration deliveryTimeout,
        @Min(1) int routeCacheSize,
        @Valid @NotNull Batch batch,
        @Valid @NotNull Retry retry,
        @Valid @NotNull Jwt jwt,
        @Valid @NotNull WeChat wechat,
        @Valid @NotNull Retention retention) {

    /**
     * How long transcripts are kept (TRANSCRIPT_RETENTION). Unset keeps them until their owner deletes them.
     *
     * @param keep          sessions started longer ago than this are deleted with their segments; null keeps all
     * @param sweepInterval how often the oldest sessions are looked for (TRANSCRIPT_RETENTION_SWEEP)
     * @param batchSize     most sessions deleted in one transaction (TRANSCRIPT_RETENTION_BATCH): bounded, so a
     *                      first purge of a long history never holds locks for long
     * @param liveDeleteWait how long DELETE of a session still recording waits for the worker to end it
     *                      (TRANSCRIPT_DELETE_LIVE_WAIT) before it answers 409 SESSION_LIVE
     */
    public record Retention(
            Duration keep,
            @NotNull Duration sweepInterval,
            @Min(1) @Max(10_000) int batchSize,
            @NotNull Duration liveDeleteWait) {}

    /**
     * WeChat mini-program login (code2Session). Unset app id or secret: the login endpoint answers 503.
     *
     * @param apiBaseUrl WeChat's API host; a local fake in tests
     * @param tokenTtl   lifetime of the tokens issued after a login: short, the mini-program logs in again
     */
    public record WeChat(
            String appId,
            String appSecret,
            @NotNull java.net.URI apiBaseUrl,
            @NotNull Duration timeout,
            @NotNull Duration tokenTtl) {

        public boolean configured() {
            return appId != null && !appId.isBlank() && appSecret != null && !appSecret.isBlank();
        }
    }

    /**
     * The transcripts listener takes a poll's records at once and writes them in groups, one transaction each
     * (the finals as one multi-row upsert, with the starts and completions of sessions among them), before it
     * delivers them.
     *
     * @param maxFinals most finals in one group (RESULT_BATCH_MAX_FINALS); 1 gives every final a transaction of
     *                  its own. A poll holds at most max.poll.records (500) records.
     */
    public record Batch(@Min(1) @Max(10_000) int maxFinals) {}

    /**
     * How long a partition waits after a record of it failed for a reason that may pass (database away, a lock
     * wait timeout or deadlock, a delivery not acked): the first wait, its growth per attempt and its cap. The
     * partition is retried from that record for as long as the failure lasts, never dead-lettered (issue 18).
     * Environment: RESULT_RETRY_INITIAL_INTERVAL, RESULT_RETRY_MULTIPLIER, RESULT_RETRY_MAX_INTERVAL.
     */
    public record Retry(
            @NotNull Duration initialInterval,
            @DecimalMin("1.0") double multiplier,
            @NotNull Duration maxInterval) {}

    /** How tokens for the history API are checked; the same values as the ingest service's. */
    public record Jwt(
            String algorithm,
            /* HS256: the same value as the ingest service's AUTH_JWT_SECRET; checked by TokenSettings. */
            String secret,
            String publicKey,
            String privateKey,
            java.net.URI jwksUrl,

            @NotBlank(message = "must be set (AUTH_JWT_ISSUER)")
            String issuer,

            @NotBlank(message = "must be set (AUTH_JWT_AUDIENCE)")
            String audience,

            @NotNull Duration leeway) {

        public TokenSettings toSettings() {
            try {
                return new TokenSettings(algorithm, secret, publicKey, privateKey, jwksUrl, issuer, audience, leeway);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "result-service cannot start: " + e.getMessage()
                                + " (the 'local' profile sets a development secret)",
                        e);
            }
        }
    }
}
