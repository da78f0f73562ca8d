package com.realtimevoice.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One recognised word of a final, with its place in the session's audio (inside the final's startMs/endMs).
 *
 * @param confidence 0.0-1.0, or null when the engine gives none (Tencent's sentence recognition)
 */
public record Word(String word, long startMs, long endMs, @JsonInclude(JsonInclude.Include.NON_NULL) Double confidence) {

    /** Longest word stored: transcript_segment.words holds at most {@link #MAX_PER_FINAL} of these (V4 migration). */
    public static final int MAX_CHARS = 64;

    /** Most words one final carries; a longer final keeps its first ones (a segment is seconds of speech, not minutes). */
    public static final int MAX_PER_FINAL = 1000;
}
