package com.realtimevoice.worker.text;

import com.realtimevoice.events.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * English number words to digits ({@code "numbers": "digits"} for engines that spell numbers out, as Vosk does):
 * "twenty three" -> "23", "two thousand and five" -> "2005", "one hundred" -> "100". A run of single digits, as
 * phone numbers are read, becomes one digit string: "five five five one two" -> "55512". A number word that cannot
 * continue the number before it starts a new one ("twenty twenty" -> "20 20").
 */
final class NumberWords {

    private static final Map<String, Integer> UNITS = Map.ofEntries(
            Map.entry("zero", 0),
            Map.entry("oh", -1),
            Map.entry("one", 1),
            Map.entry("two", 2),
            Map.entry("three", 3),
            Map.entry("four", 4),
            Map.entry("five", 5),
            Map.entry("six", 6),
            Map.entry("seven", 7),
            Map.entry("eight", 8),
            Map.entry("nine", 9));
    private static final Map<String, Integer> TEENS = Map.ofEntries(
            Map.entry("ten", 10),
            Map.entry("eleven", 11),
            Map.entry("twelve", 12),
            Map.entry("thirteen", 13),
            Map.entry("fourteen", 14),
            Map.entry("fifteen", 15),
            Map.entry("sixteen", 16),
            Map.entry("seventeen", 17),
            Map.entry("eighteen", 18),
            Map.entry("nineteen", 19));
    private static final Map<String, Integer> TENS = Map.of(
            "twenty", 20, "thirty", 30, "forty", 40, "fifty", 50, "sixty", 60, "seventy", 70, "eighty", 80, "ninety",
            90);
    private static final Map<String, Long> SCALES =
            Map.of("thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L);

    private NumberWords() {}

    /** The words with every run of number words replaced by one word of digits spanning the run's time. */
    static List<Word> toDigits(List<Word> words) {
        List<Word> out = new ArrayList<>(words.size());
        int i = 0;
        while (i < words.size()) {
            int end = runEnd(words, i);
            if (end == i) {
                out.add(words.get(i++));
                continue;
            }
            for (Number n : parse(words.subList(i, end))) {
                Word first = words.get(i + n.from);
                Word last = words.get(i + n.to - 1);
                out.add(new Word(
                        n.digits, first.startMs(), last.endMs(), minConfidence(words.subList(i + n.from, i + n.to))));
            }
            i = end;
        }
        return out;
    }

    /** The end of the run of number words starting at {@code from} ("and" inside a run, "oh" only among digits). */
    private static int runEnd(List<Word> words, int from) {
        int end = from;
        while (end < words.size()) {
            String w = key(words.get(end));
            boolean and = w.equals("and")
                    && end > from
                    && end + 1 < words.size()
                    && isNumber(key(words.get(end + 1)))
                    && !UNITS.containsKey(key(words.get(end - 1)));
            if (!(isNumber(w) && !(w.equals("oh") && end == from)) && !and) {
                break;
            }
            end++;
        }
        return end;
    }

    private static boolean isNumber(String w) {
        return UNITS.containsKey(w)
                || TEENS.containsKey(w)
                || TENS.containsKey(w)
                || w.equals("hundred")
                || SCALES.containsKey(w);
    }

    private record Number(String digits, int from, int to) {}

    /** A run of number words as one or more numbers, each with the run's words it came from. */
    private static List<Number> parse(List<Word> run) {
        List<Number> out = new ArrayList<>();
        if (run.stream().allMatch(w -> UNITS.containsKey(key(w)))) {
            StringBuilder digits = new StringBuilder();
            run.forEach(w -> digits.append(Math.max(0, UNITS.get(key(w)))));
            out.add(new Number(digits.toString(), 0, run.size()));
            return out;
        }
        long total = 0;
        long current = 0;
        int from = 0;
        String previous = null; // the kind of the last word: unit, teen, ten, hundred, scale
        for (int k = 0; k < run.size(); k++) {
            String w = key(run.get(k));
            if (w.equals("and")) {
                continue;
            }
            String kind = UNITS.containsKey(w)
                    ? "unit"
                    : TEENS.containsKey(w)
                            ? "teen"
                            : TENS.containsKey(w) ? "ten" : w.equals("hundred") ? "hundred" : "scale";
            boolean fits = previous == null
                    || switch (kind) {
                        case "unit" -> previous.equals("ten") || previous.equals("hundred") || previous.equals("scale");
                        case "teen", "ten" -> previous.equals("hundred") || previous.equals("scale");
                        case "hundred" ->
                            (previous.equals("unit") || previous.equals("teen") || previous.equals("ten"))
                                    && current < 100;
                        default -> !previous.equals("scale") && current > 0;
                    };
            if (!fits) {
                out.add(new Number(Long.toString(total + current), from, k));
                total = 0;
                current = 0;
                from = k;
            }
            switch (kind) {
                case "unit" -> current += Math.max(0, UNITS.get(w));
                case "teen" -> current += TEENS.get(w);
                case "ten" -> current += TENS.get(w);
                case "hundred" -> current *= 100;
                default -> {
                    total += Math.max(1, current) * SCALES.get(w);
                    current = 0;
                }
            }
            previous = kind;
        }
        out.add(new Number(Long.toString(total + current), from, run.size()));
        return out;
    }

    private static Double minConfidence(List<Word> words) {
        Double min = null;
        for (Word w : words) {
            if (w.confidence() == null) {
                return null; // the engine gives none
            }
            min = min == null ? w.confidence() : Math.min(min, w.confidence());
        }
        return min;
    }

    private static String key(Word w) {
        return w.word().toLowerCase(Locale.ROOT);
    }
}
