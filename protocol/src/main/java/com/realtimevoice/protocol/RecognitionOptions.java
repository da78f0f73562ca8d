package com.realtimevoice.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The start options that shape recognition and its text (issue 22, extensions): {@code hotwords} the engine should
 * favour, and the output controls {@code punctuation}, {@code numbers}, {@code profanity}. A null control was not
 * asked for: the engine's own default applies. What is in effect comes back in {@code started}'s {@code options}.
 */
public record RecognitionOptions(List<String> hotwords, Boolean punctuation, String numbers, String profanity) {

    /** Limits of {@code hotwords}: Tencent takes at most 128 temporary hotwords; 100 leaves room, 32 covers a name. */
    public static final int MAX_HOTWORDS = 100;

    public static final int MAX_HOTWORD_CHARS = 32;
    public static final Set<String> NUMBERS = Set.of("words", "digits");
    public static final Set<String> PROFANITY = Set.of("keep", "mask", "remove");

    public static final RecognitionOptions NONE = new RecognitionOptions(List.of(), null, null, null);

    public RecognitionOptions {
        hotwords = hotwords == null ? List.of() : List.copyOf(hotwords);
    }

    /** The options of a start message, or a reason naming the field that is wrong (the BAD_REQUEST message). */
    static Object parse(JsonNode start) {
        JsonNode words = start.get("hotwords");
        List<String> hotwords = List.of();
        if (words != null && !words.isNull()) {
            if (!words.isArray()) {
                return "`hotwords` must be an array of strings";
            }
            if (words.size() > MAX_HOTWORDS) {
                return "`hotwords` must have at most " + MAX_HOTWORDS + " entries (got " + words.size() + ")";
            }
            java.util.ArrayList<String> list = new java.util.ArrayList<>(words.size());
            for (JsonNode w : words) {
                if (!w.isString()
                        || w.asString().isBlank()
                        || w.asString().strip().length() > MAX_HOTWORD_CHARS) {
                    return "`hotwords` entries must be non-empty strings of at most " + MAX_HOTWORD_CHARS
                            + " characters";
                }
                list.add(w.asString().strip());
            }
            hotwords = list;
        }
        JsonNode punctuation = start.get("punctuation");
        if (punctuation != null && !punctuation.isNull() && !punctuation.isBoolean()) {
            return "`punctuation` must be true or false";
        }
        Object numbers = choice(start, "numbers", NUMBERS, "\"words\" or \"digits\"");
        if (numbers instanceof Reason r) {
            return r.text;
        }
        Object profanity = choice(start, "profanity", PROFANITY, "\"keep\", \"mask\" or \"remove\"");
        if (profanity instanceof Reason r) {
            return r.text;
        }
        return new RecognitionOptions(
                hotwords,
                punctuation == null || punctuation.isNull() ? null : punctuation.asBoolean(),
                (String) numbers,
                (String) profanity);
    }

    private record Reason(String text) {}

    private static Object choice(JsonNode start, String field, Set<String> allowed, String expected) {
        JsonNode v = start.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.isString() ? v.asString().toLowerCase(Locale.ROOT) : null;
        return s != null && allowed.contains(s) ? s : new Reason("`" + field + "` must be " + expected);
    }
}
