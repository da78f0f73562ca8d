package com.realtimevoice.events;

/**
 * Topic names. Every topic is keyed by session id so that everything about one session
 * (lifecycle and audio alike) lands on one partition, in order.
 */
public final class Topics {

    /** Audio chunks and session lifecycle events, produced by ingest nodes, consumed by ASR workers. */
    public static final String AUDIO = "asr.audio.v1";

    /** Partials, finals and lifecycle events, produced by ASR workers, consumed by result services. */
    public static final String TRANSCRIPTS = "asr.transcripts.v1";

    /** Each ingest node owns one delivery topic, {@code asr.delivery.v1.<nodeId>}: results for its own sockets only. */
    public static final String DELIVERY_PREFIX = "asr.delivery.v1.";

    /** Suffix of the dead-letter topic that a consumer of topic T publishes unprocessable records to. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    private Topics() {}

    public static String delivery(String nodeId) {
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("node id must be 1-100 characters of [A-Za-z0-9._-], got: " + nodeId);
        }
        return DELIVERY_PREFIX + nodeId;
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /**
     * Whether a Kafka client metric's {@code topic} tag is the deprecated spelling of one of these topics. The consumer
     * (Kafka 4.1, KIP-1109) tags its per-topic metrics twice when a topic name has dots: with the name, and again with
     * the dots turned into underscores (deprecated), so every series showed twice. Every topic here starts with
     * {@code asr.}, so the deprecated spelling is the one starting with {@code asr_}; the services drop those meters.
     */
    public static boolean isDeprecatedMetricSpelling(String topicTag) {
        return topicTag != null && topicTag.startsWith("asr_");
    }
}
