package com.realtimevoice.protocol;

/** A server -> client text frame. Fields are those of the contract, in the order the server writes them. */
public sealed interface ServerMessage {

    /** {@code options} (an extension): what of the start's options is in effect; null writes none (older servers). */
    record Started(
            String sessionId,
            String resumeToken,
            String format,
            int sampleRate,
            boolean interimResults,
            Options options)
            implements ServerMessage {

        public Started(String sessionId, String resumeToken, String format, int sampleRate, boolean interimResults) {
            this(sessionId, resumeToken, format, sampleRate, interimResults, null);
        }
    }

    /**
     * The effective values of a session's options: what the session's engine and the worker's own text filters do,
     * which may differ from what was asked (Vosk never punctuates).
     *
     * @param hotwords the hotwords recognition favours
     * @param numbers  "words" or "digits"
     * @param profanity "keep", "mask" or "remove"
     */
    record Options(
            boolean wordTimestamps,
            java.util.List<String> hotwords,
            boolean punctuation,
            String numbers,
            String profanity) {}

    record Partial(String sessionId, int index, String text) implements ServerMessage {}

    /** {@code words} (an extension) only when the session's start asked for {@code wordTimestamps}; null otherwise. */
    record Final(String sessionId, int index, String text, long startMs, long endMs, java.util.List<Word> words)
            implements ServerMessage {

        public Final(String sessionId, int index, String text, long startMs, long endMs) {
            this(sessionId, index, text, startMs, endMs, null);
        }
    }

    /**
     * One recognised word of a final: its place in the session's audio, inside the final's span.
     *
     * @param confidence 0.0-1.0; null when the engine gives none (Tencent's sentence recognition)
     */
    record Word(String word, long startMs, long endMs, Double confidence) {}

    record Completed(String sessionId, String text, int segments) implements ServerMessage {}

    /**
     * {@code code} is an {@link ErrorCode} name or a pipeline failure's own code; {@code recovered} (an extension)
     * is present only after a resume, saying whether the session could be picked up again.
     */
    record Error(String code, String message, Boolean recovered) implements ServerMessage {

        public Error(ErrorCode code, String message) {
            this(code.name(), message, null);
        }
    }

    record Pong() implements ServerMessage {}

    /** The broker holds every audio chunk up to {@code seq}. */
    record Ack(String sessionId, long seq) implements ServerMessage {}

    record Resumed(String sessionId, int lastIndex, long nextSeq) implements ServerMessage {}

    /** Speech began after silence, {@code atMs} into the session's audio (extension; {@code speechEvents}). */
    record SpeechStarted(String sessionId, long atMs) implements ServerMessage {}

    /** A message of a later protocol version (a client ignores it): its {@code type} and its JSON. */
    record Other(String type, String json) implements ServerMessage {}
}
