package com.realtimevoice.worker.engine;

import com.realtimevoice.events.Word;
import java.util.List;

/** What an engine reports: unstable text of the current segment, or the stable text of a finished one. */
public sealed interface RecognitionResult {

    String text();

    /** The current segment as recognised so far; a later partial replaces it. */
    record Partial(String text) implements RecognitionResult {}

    /**
     * A finished segment.
     *
     * @param startMs where the segment starts, relative to the start of the session's audio
     * @param endMs   where it ends, same reference
     * @param words   its words with their times, same reference; empty when the engine gives none
     */
    record Final(String text, long startMs, long endMs, List<Word> words) implements RecognitionResult {

        public Final {
            words = words == null ? List.of() : words; // callers test isEmpty(): an engine adapter's null is "none"
        }

        public Final(String text, long startMs, long endMs) {
            this(text, startMs, endMs, List.of());
        }
    }

    /**
     * Speech began {@code atMs} into the session's audio: from the worker's voice activity detector run alongside the
     * engine ({@code speechEvents}), not from the engine itself.
     */
    record SpeechOnset(long atMs) implements RecognitionResult {

        @Override
        public String text() {
            return "";
        }
    }
}
