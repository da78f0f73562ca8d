package com.realtimevoice.ingest.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the ingest node can be told, bound from ingest-service.yml (environment variables with
 * local defaults). A bad value stops the node at start with the property's name.
 */
@ConfigurationProperties(prefix = "ingest")
@Validated
public record IngestProperties(
        /* Unique per running node: its delivery topic is asr.delivery.v1.<nodeId>. Blank = generated. */
        @Pattern(regexp = "[A-Za-z0-9._-]{0,100}") String nodeId,
        @Valid @NotNull Kafka kafka,
        @Valid @NotNull Auth auth,
        @Valid @NotNull Limits limits,
        @Valid @NotNull Reliability reliability,
        @Valid @NotNull Sockets sockets,
        @NotNull Duration heartbeatInterval,
        /* A socket that answers no ping for this long is closed (dead, half-open, or no longer read); 0 = never. */
        @NotNull Duration pongTimeout,
        @NotNull Duration recognizeTimeout,
        @NotBlank String resultServiceUrl) {

    /**
     * Acks, backpressure and resume.
     *
     * @param resumeSecret    HMAC key of resume tokens, the same on every node (defaults to the HS256 JWT secret)
     * @param resumeWindow    how long a session whose client dropped waits for a resume before it is ended
     * @param ackInterval     acks are batched: at most one per session per interval
     * @param maxUnackedAudio audio a session may have sent that Kafka has not acknowledged yet; past it, frames are
     *                        refused with OVERLOADED until Kafka catches up (the client re-sends from its last ack)
     */
    public record Reliability(
            String resumeSecret,
            @NotNull Duration resumeWindow,
            @NotNull Duration ackInterval,
            @NotNull Duration maxUnackedAudio) {}

    /**
     * Per-socket memory, which decides how many idle sockets one node holds (docs/performance.md). Frames larger
     * than a buffer arrive in parts and are joined up to the limits; the buffers never limit what a client may send.
     *
     * @param binaryBufferBytes container buffer for audio frames (a 100 ms chunk of 16 kHz PCM is 3,200 bytes)
     * @param textBufferChars   container buffer for control frames
     * @param ioBufferBytes     Tomcat's read and write buffer of each socket
     */
    public record Sockets(
            @Min(256) int binaryBufferBytes,
            @Min(128) int textBufferChars,
            @Min(128) int ioBufferBytes) {}

    /**
     * @param deliveryConcurrency listener threads reading the delivery topic: one is plenty (it only writes
     *                            results to sockets), and each more is one more fetch loop for the broker
     */
    public record Kafka(
            @Min(1) @Max(1000) int audioPartitions,
            @Min(1) @Max(100) int deliveryPartitions,
            @Min(1) @Max(100) int deliveryConcurrency,
            @Min(1) @Max(5) short replicationFactor,
            @NotNull Duration sendTimeout) {}

    /** HS256 settings shared with result-service; the secret has no default outside the local profile. */
    public record Auth(
            String jwtAlgorithm,
            String jwtSecret,
            String jwtPublicKey,
            String jwtPrivateKey,
            java.net.URI jwtJwksUrl,
            @NotBlank String jwtIssuer,
            @NotBlank String jwtAudience,
            @NotNull Duration leeway,
            @NotNull Duration devTokenTtl) {}

    /**
     * Per-connection and per-session limits; each breach has its own error code (docs/security.md).
     *
     * @param maxControlMessagesPerSecond text frames per second per connection before RATE_LIMITED
     * @param maxAudioSpeed               how many times faster than real time a client may send audio
     * @param audioBurst                  audio a client may send ahead of that pace (e.g. after a reconnect)
     * @param maxSessionDuration          a session is ended (its finals still delivered) past this
     * @param idleTimeout                 a session that receives no audio for this long is ended
     * @param authTimeout                 a connection must present a valid token within this
     * @param allowedOrigins              browser Origins allowed to open a socket; requests without Origin
     *                                    (mini-programs, native clients) are always allowed and rely on tokens
     * @param maxSocketsPerUser           open authenticated sockets per user on this node (idle ones included)
     */
    public record Limits(
            @Min(320) int maxFrameBytes,
            @Min(256) int maxTextBytes,
            @Min(1) int maxSessionsPerUser,
            @NotNull Duration sendTimeLimit,
            @Min(1024) int sendBufferBytes,
            @Min(1) int chunkBytesForUploads,
            @Min(1) int maxControlMessagesPerSecond,

            @jakarta.validation.constraints.DecimalMin("1.0")
            double maxAudioSpeed,

            @NotNull Duration audioBurst,
            @NotNull Duration maxSessionDuration,
            @NotNull Duration idleTimeout,
            @NotNull Duration authTimeout,
            @NotNull java.util.List<String> allowedOrigins,
            @Min(1) int maxSocketsPerUser) {}
}
