package com.realtimevoice.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A session was opened on an ingest node. Travels in-band on the audio topic (then forwarded on the
 * transcripts topic) so that every consumer learns the route with the audio, never from a side channel.
 *
 * @param replyTopic the delivery topic of the ingest node that holds the socket
 * @param oneShot    true for {@code /recognize} uploads (no partials wanted)
 * @param endpointingMs the silence (ms) that ends a segment, as the client asked; null for the worker's default
 *                   (and from older producers)
 * @param speechEvents whether the client wants {@link SpeechStarted}; null (older producers) is false
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
        // absent, not null, when not asked for: the bytes older consumers read stay the same
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer endpointingMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean speechEvents) implements PipelineEvent {

    public SessionStarted(String sessionId, String userId, String nodeId, String replyTopic, String format, int sampleRate,
                          String language, String engine, boolean interimResults, boolean oneShot, long startedAtMs) {
        this(sessionId, userId, nodeId, replyTopic, format, sampleRate, language, engine, interimResults, oneShot, startedAtMs,
                null, null);
    }

    public boolean wantsSpeechEvents() {
        return Boolean.TRUE.equals(speechEvents);
    }
}
