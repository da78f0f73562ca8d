package com.realtimevoice.worker.segment;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Sessions on a segment engine (Tencent): how the worker cuts segments, and what serves the partials and the
 * fallback ({@code asr.worker.segments.*}).
 *
 * @param silence        {@code ASR_VAD_SILENCE}: silence that ends a segment
 * @param maxLength      {@code ASR_VAD_MAX_SEGMENT}: longest segment (SentenceRecognition takes at most 60 s)
 * @param preRoll        audio kept before the first speech frame of a segment
 * @param thresholdDb    {@code ASR_VAD_THRESHOLD_DB}: frame level (dBFS) below which nothing is speech
 * @param marginDb       how far above the tracked noise floor speech must be
 * @param partials       {@code ASR_TWO_PASS_PARTIALS}: streaming engine whose partials are sent while the user speaks
 *                       (two-pass), or {@code none}
 * @param fallback       {@code ASR_CLOUD_FALLBACK}: when the cloud engine cannot recognise a segment (breaker open,
 *                       retries spent, credentials refused): {@code local} recognises it with {@code fallbackEngine},
 *                       {@code fail} ends the session with ENGINE_UNAVAILABLE
 * @param fallbackEngine {@code ASR_CLOUD_FALLBACK_ENGINE}: the local streaming engine for that
 */
@ConfigurationProperties(prefix = "asr.worker.segments")
@Validated
public record SegmentProperties(
        @NotNull @DurationMin(millis = 200) @DurationMax(seconds = 10)
        Duration silence,

        @NotNull @DurationMin(seconds = 1) @DurationMax(seconds = 60)
        Duration maxLength,

        @NotNull @DurationMax(seconds = 2) Duration preRoll,
        double thresholdDb,
        double marginDb,
        @NotBlank String partials,
        @NotNull Fallback fallback,
        @NotBlank String fallbackEngine) {

    public static final String NONE = "none";

    public enum Fallback {
        LOCAL,
        FAIL
    }

    public VoiceActivityDetector newDetector() {
        return newDetector(silence.toMillis());
    }

    /** A detector whose segments end after {@code silenceMs} of silence (a session's {@code endpointingMs}). */
    public VoiceActivityDetector newDetector(long silenceMs) {
        return new VoiceActivityDetector(silenceMs, maxLength.toMillis(), preRoll.toMillis(), thresholdDb, marginDb);
    }

    public boolean hasPartials() {
        return !NONE.equalsIgnoreCase(partials);
    }
}
