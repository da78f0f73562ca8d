package com.realtimevoice.worker.text;

import com.realtimevoice.events.RecognitionOptions;
import com.realtimevoice.events.Word;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The output controls the worker applies itself to a session's text, whatever the engine: {@code profanity}
 * ("mask" keeps a word's first letter and stars the rest, "remove" drops it) from the word list
 * {@code profanity/en.txt}, and {@code numbers: "digits"} for engines that spell numbers out (English number words,
 * {@link NumberWords}). Engines that do these themselves (Tencent) are asked to as well; applying the list again
 * to their text changes nothing already masked. Punctuation is the engine's alone (Vosk has none).
 */
public final class OutputControls {

    /** Controls that change nothing (no option asked). */
    public static final OutputControls NONE = new OutputControls(false, false, false);

    private static final Set<String> PROFANITY = load("/profanity/en.txt");
    /** A word with whatever letters, digits and apostrophes, as Vosk writes them and as they sit in punctuated text. */
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}']+");

    private final boolean mask;
    private final boolean remove;
    private final boolean digits;

    private OutputControls(boolean mask, boolean remove, boolean digits) {
        this.mask = mask;
        this.remove = remove;
        this.digits = digits;
    }

    /**
     * @param spellsNumbers the engine writes numbers as words (Vosk): {@code "digits"} needs the worker's conversion
     */
    public static OutputControls of(RecognitionOptions options, boolean spellsNumbers) {
        boolean mask = "mask".equals(options.profanity());
        boolean remove = "remove".equals(options.profanity());
        boolean digits = spellsNumbers && "digits".equals(options.numbers());
        return mask || remove || digits ? new OutputControls(mask, remove, digits) : NONE;
    }

    /** Words with the controls applied; the final's text is then these words joined (an engine without punctuation). */
    public List<Word> words(List<Word> words) {
        if (this == NONE || words == null) {
            return words;
        }
        List<Word> out = new ArrayList<>(words.size());
        for (Word w : digits ? NumberWords.toDigits(words) : words) {
            if (!PROFANITY.contains(w.word().toLowerCase(Locale.ROOT))) {
                out.add(w);
            } else if (mask) {
                out.add(new Word(mask(w.word()), w.startMs(), w.endMs(), w.confidence()));
            }
        }
        return out;
    }

    /** Text with the controls applied, punctuation and spacing kept (numbers are converted through the words). */
    public String text(String text) {
        if (this == NONE || text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        if (digits) {
            List<Word> words = new ArrayList<>();
            for (String w : text.strip().split("\\s+")) {
                words.add(new Word(w, 0, 0, null));
            }
            // only for text without punctuation (Vosk's partials): punctuated text comes from engines that convert
            if (words.stream().allMatch(w -> TOKEN.matcher(w.word()).matches())) {
                out = String.join(
                        " ",
                        NumberWords.toDigits(words).stream().map(Word::word).toList());
            }
        }
        if (!mask && !remove) {
            return out;
        }
        Matcher m = TOKEN.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String word = m.group();
            m.appendReplacement(
                    sb,
                    Matcher.quoteReplacement(
                            !PROFANITY.contains(word.toLowerCase(Locale.ROOT)) ? word : mask ? mask(word) : ""));
        }
        m.appendTail(sb);
        return remove ? sb.toString().replaceAll(" {2,}", " ").strip() : sb.toString();
    }

    private static String mask(String word) {
        return word.charAt(0) + "*".repeat(word.length() - 1);
    }

    private static Set<String> load(String resource) {
        Set<String> words = new HashSet<>();
        try (InputStream in = OutputControls.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip().toLowerCase(Locale.ROOT);
                if (!line.isEmpty() && !line.startsWith("#")) {
                    words.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(words);
    }
}
