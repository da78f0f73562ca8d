package com.realtimevoice.protocol;

/** A client -> server text frame. {@link ProtocolCodec#parseClient} never throws: bad input is a {@link Malformed}. */
public sealed interface ClientMessage {

    /**
     * Opens a session. {@code format} is the descriptor with a {@code channels} other than 1 folded in
     * ({@code pcm;channels=2}, as audio/L16 does); on the wire it travels as {@code format} and {@code channels}.
     * {@code wordTimestamps} (an extension, default false) asks for the words of every final with their times.
     * {@code options} (extensions): hotwords and output controls; never null ({@link RecognitionOptions#NONE}).
     */
    record Start(
            String token,
            String format,
            int sampleRate,
            String language,
            String engine,
            boolean interimResults,
            boolean wordTimestamps,
            Integer endpointingMs,
            boolean speechEvents,
            RecognitionOptions options)
            implements ClientMessage {

        public Start {
            options = options == null ? RecognitionOptions.NONE : options;
        }

        /** A start with none of the extensions: no word timestamps, streaming controls, hotwords or output controls. */
        public Start(
                String token, String format, int sampleRate, String language, String engine, boolean interimResults) {
            this(
                    token,
                    format,
                    sampleRate,
                    language,
                    engine,
                    interimResults,
                    false,
                    null,
                    false,
                    RecognitionOptions.NONE);
        }
    }

    /** Finalise the audio sent so far now; the session goes on (extension). */
    record Flush() implements ClientMessage {}

    /** No more audio ({@code end}, or its alias {@code stop}). */
    record End() implements ClientMessage {}

    record Ping() implements ClientMessage {}

    /** {@code nextSeq} and {@code token} are extensions: the first chunk the client will re-send, and its token. */
    record Resume(String sessionId, String resumeToken, int lastIndex, Long nextSeq, String token)
            implements ClientMessage {}

    /** A frame the server cannot take; {@code reason} names what is wrong (the {@code BAD_REQUEST} message). */
    record Malformed(String reason) implements ClientMessage {}
}
