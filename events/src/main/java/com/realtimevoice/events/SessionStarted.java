package com.realtimevoice.events;

/**
 * A session was opened on an ingest node. Travels in-band on the audio topic (then forwarded on the
 * transcripts topic) so that every consumer learns the route with the audio, never from a side channel.
 *
 * @param replyTopic the delivery topic of the ingest node that holds the socket
 * @param oneShot    true for {@code /recognize} uploads (no partials wanted)
 * @param wordTimestamps the client asked for the words of every final; false (never null) from older producers
 */
public record SessionStarted(
        String sessionId,
        String userId,
        String nodeId,
        String replyTopic,
        String format,
        int sampleRate,
        String language,
        String engine,
        boolean interimResults,
        boolean oneShot,
        long startedAtMs,
        Boolean wordTimestamps) implements PipelineEvent {

    /** Boxed so that an older producer's JSON, which lacks it, reads as false rather than failing. */
    public SessionStarted {
        wordTimestamps = Boolean.TRUE.equals(wordTimestamps);
    }

    public SessionStarted(String sessionId, String userId, String nodeId, String replyTopic, String format, int sampleRate,
                          String language, String engine, boolean interimResults, boolean oneShot, long startedAtMs) {
        this(sessionId, userId, nodeId, replyTopic, format, sampleRate, language, engine, interimResults, oneShot,
                startedAtMs, false);
    }
}
