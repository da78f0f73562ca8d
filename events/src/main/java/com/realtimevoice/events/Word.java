package com.realtimevoice.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * One recognised word of a final, with its place in the session's audio (inside the final's startMs/endMs).
 *
 * @param confidence 0.0-1.0, or null when the engine gives none (Tencent's sentence recognition)
 */
public record Word(
        String word,
        long startMs,
        long endMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double confidence) {

    /** Longest word stored: transcript_segment.words holds at most {@link #MAX_PER_FINAL} of these (V4_22 migration). */
    public static final int MAX_CHARS = 64;

    /** Most words one final carries; a longer final keeps its first ones (a segment is seconds of speech, not minutes). */
    public static final int MAX_PER_FINAL = 1000;

    /**
     * The words as a final may carry them: at most {@link #MAX_PER_FINAL}, each at most {@link #MAX_CHARS} characters
     * (never cutting a surrogate pair), times inside [startMs, endMs] and in order, confidence inside 0-1. Whatever an
     * engine returns, what is stored and sent keeps the contract and fits the column.
     */
    public static List<Word> fit(List<Word> words, long startMs, long endMs) {
        List<Word> out = new ArrayList<>(Math.min(words.size(), MAX_PER_FINAL));
        long floor = startMs;
        for (Word w : words) {
            if (out.size() == MAX_PER_FINAL) {
                break;
            }
            if (w.word() == null || w.word().isBlank()) {
                continue;
            }
            long start = Math.max(floor, Math.min(endMs, w.startMs()));
            long end = Math.max(start, Math.min(endMs, w.endMs()));
            Double confidence = w.confidence() == null || w.confidence().isNaN()
                    ? null
                    : Math.max(0.0, Math.min(1.0, w.confidence()));
            out.add(new Word(clip(w.word().strip()), start, end, confidence));
            floor = start;
        }
        return out;
    }

    private static String clip(String word) {
        if (word.length() <= MAX_CHARS) {
            return word;
        }
        int end = Character.isHighSurrogate(word.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return word.substring(0, end);
    }
}
