package com.realtimevoice.worker.engine.tencent;

import com.realtimevoice.worker.engine.cloud.CallPolicy;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The Tencent Cloud ASR engine ({@code asr.worker.tencent.*}, environment variables in {@code asr-worker.yml}).
 *
 * @param secretId        {@code TENCENT_SECRET_ID}; empty: the engine refuses sessions (and the worker will not start
 *                        if it is the default engine)
 * @param secretKey       {@code TENCENT_SECRET_KEY}
 * @param appId           {@code TENCENT_APP_ID}: not needed by SentenceRecognition (the realtime WebSocket API uses it); logged
 * @param region          {@code ASR_TENCENT_REGION}, e.g. ap-shanghai; SentenceRecognition is served from any
 * @param endpoint        API host; the SDK signs for the service named by its first label, so it must start with {@code asr.}
 * @param protocol        {@code https://} (tests: {@code http://} to the local fake)
 * @param proxy           {@code host:port} of an HTTP proxy to reach the endpoint through, or empty
 * @param defaultModel    {@code EngSerViceType} for sessions that name no language ({@code ASR_TENCENT_MODEL}, 16k_zh)
 * @param models          language -> model ({@code zh: 16k_zh}, {@code en: 16k_en}, ...); a language that is itself a
 *                        model name ({@code 16k_zh_dialect}) is used as it is
 * @param mp3PassThrough  send MP3 sessions' original frames when their rate is the model's, instead of decoded PCM
 * @param timeout         connect/read timeout of one request
 * @param verifyAtStart   check the credentials at start with a free call (DescribeTaskStatus); refused ones stop the start
 */
@ConfigurationProperties(prefix = "asr.worker.tencent")
@Validated
public record TencentProperties(
        String secretId,
        String secretKey,
        String appId,
        @NotBlank String region,

        @NotBlank
        @Pattern(
                regexp = "asr\\..+",
                message = "must start with 'asr.' (the SDK signs for the service named by the host's first label)")
        String endpoint,

        @NotBlank @Pattern(regexp = "https?://") String protocol,
        String proxy,
        @NotBlank String defaultModel,
        @NotNull Map<String, String> models,
        boolean mp3PassThrough,
        @NotNull @DurationMin(seconds = 1) Duration timeout,
        boolean verifyAtStart,
        @NotNull Calls calls) {

    public boolean configured() {
        return secretId != null && !secretId.isBlank() && secretKey != null && !secretKey.isBlank();
    }

    /**
     * @param requestsPerSecond {@code ASR_TENCENT_RPS}: the account's SentenceRecognition quota (20 by default)
     * @param threads           {@code ASR_TENCENT_THREADS}: concurrent requests per worker
     * @param queue             segments waiting for a thread before new ones are refused (and fall back)
     */
    public record Calls(
            @DecimalMin("0.1") double requestsPerSecond,
            @Min(1) @Max(256) int threads,
            @Min(1) @Max(100_000) int queue,
            @Min(1) @Max(10) int maxAttempts,
            @NotNull @DurationMin(millis = 1) Duration backoff,
            @NotNull @DurationMin(millis = 1) Duration maxBackoff,
            @Min(1) int failureThreshold,
            @NotNull @DurationMin(millis = 100) Duration openFor) {

        public CallPolicy policy() {
            return new CallPolicy(
                    threads, queue, requestsPerSecond, maxAttempts, backoff, maxBackoff, failureThreshold, openFor);
        }
    }
}
