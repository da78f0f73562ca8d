package com.realtimevoice.events;

/**
 * A session was opened on an ingest node. Travels in-band on the audio topic (then forwarded on the
 * transcripts topic) so that every consumer learns the route with the audio, never from a side channel.
 *
 * @param replyTopic the delivery topic of the ingest node that holds the socket
 * @param oneShot    true for {@code /recognize} uploads (no partials wanted)
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
        long startedAtMs) implements PipelineEvent {
}
