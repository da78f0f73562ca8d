package com.realtimevoice.events;

import java.util.List;

/**
 * A session's hotwords and output controls as its client asked (issue 22); a null control was not asked for and
 * leaves the engine's default. The ingest node has validated them (at most 100 hotwords of at most 32 characters).
 *
 * @param numbers   "words" or "digits", or null
 * @param profanity "keep", "mask" or "remove", or null
 */
public record RecognitionOptions(List<String> hotwords, Boolean punctuation, String numbers, String profanity) {

    public static final RecognitionOptions NONE = new RecognitionOptions(List.of(), null, null, null);

    public RecognitionOptions {
        hotwords = hotwords == null ? List.of() : List.copyOf(hotwords);
    }
}
