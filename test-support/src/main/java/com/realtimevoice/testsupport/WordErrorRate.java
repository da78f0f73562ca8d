package com.realtimevoice.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Word error rate: (substitutions + deletions + insertions) / reference words, by word-level edit distance. */
public final class WordErrorRate {

    private WordErrorRate() {}

    public static double of(String reference, String hypothesis) {
        List<String> ref = words(reference);
        List<String> hyp = words(hypothesis);
        if (ref.isEmpty()) {
            return hyp.isEmpty() ? 0 : 1;
        }
        // d[i][j]: edits turning the first i reference words into the first j hypothesis words.
        int[][] d = new int[ref.size() + 1][hyp.size() + 1];
        for (int i = 0; i <= ref.size(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= hyp.size(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= hyp.size(); j++) {
                int substitution = d[i - 1][j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1);
                d[i][j] = Math.min(substitution, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
            }
        }
        return (double) d[ref.size()][hyp.size()] / ref.size();
    }

    /** Lower case, punctuation dropped (apostrophes kept: "don't" is one word). */
    static List<String> words(String text) {
        String cleaned = text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}' ]+", " ")
                .strip();
        return cleaned.isEmpty() ? List.of() : Arrays.asList(cleaned.split("\\s+"));
    }
}
