package com.realtimevoice.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A session was opened on an ingest node. Travels in-band on the audio topic (then forwarded on the
 * transcripts topic) so that every consumer learns the route with the audio, never from a side channel.
 *
 * @param replyTopic the delivery topic of the ingest node that holds the socket
 * @param oneShot    true for {@code /recognize} uploads (no partials wanted)
 * @param wordTimestamps the client asked for the words of every final; false (never null) from older producers
 * @param endpointingMs the silence (ms) that ends a segment, as the client asked; null for the worker's default
 *                   (and from older producers)
 * @param speechEvents whether the client wants {@link SpeechStarted}; null (older producers) is false
 * @param options    hotwords and output controls; null (absent from the JSON) when none were asked, and from older
 *                   producers: read them through {@link #recognition()}
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
        Boolean wordTimestamps,
        // absent, not null, when not asked for: the bytes older consumers read stay the same
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer endpointingMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean speechEvents,
        @JsonInclude(JsonInclude.Include.NON_NULL) RecognitionOptions options)
        implements PipelineEvent {

    /** Boxed so that an older producer's JSON, which lacks it, reads as false rather than failing. */
    public SessionStarted {
        wordTimestamps = Boolean.TRUE.equals(wordTimestamps);
        options = RecognitionOptions.NONE.equals(options) ? null : options;
    }

    /** The session's options, {@link RecognitionOptions#NONE} when it asked for none. */
    public RecognitionOptions recognition() {
        return options == null ? RecognitionOptions.NONE : options;
    }

    /** A session that asks for no word timestamps, endpointing, speech events nor options (as older producers). */
    public SessionStarted(
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
            long startedAtMs) {
        this(
                sessionId,
                userId,
                nodeId,
                replyTopic,
                format,
                sampleRate,
                language,
                engine,
                interimResults,
                oneShot,
                startedAtMs,
                false,
                null,
                null,
                null);
    }

    public boolean wantsSpeechEvents() {
        return Boolean.TRUE.equals(speechEvents);
    }
}
