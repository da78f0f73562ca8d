package com.realtimevoice.result.history;

import com.realtimevoice.events.Word;
import com.realtimevoice.result.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;

/**
 * A transcript as subtitles: SubRip, WebVTT or plain text. Each final becomes one or more cues inside its own time
 * span: its text is wrapped at {@link #MAX_LINE} characters, at most {@link #MAX_LINES} lines a cue (the usual
 * broadcast limits), and a final that needs several cues shares its span between them: by its word timings when it
 * has them (each cue from its first word's start to its last word's end), else by length.
 */
final class Captions {

    static final int MAX_LINE = 42;
    static final int MAX_LINES = 2;

    record Cue(long startMs, long endMs, List<String> lines) {}

    private Captions() {}

    static List<Cue> cues(List<Transcript.Segment> segments) {
        List<Cue> cues = new ArrayList<>();
        long previousEnd = 0;
        for (Transcript.Segment segment : segments) {
            List<String> lines = wrap(segment.text());
            if (lines.isEmpty()) {
                continue;
            }
            // cues never overlap nor go back in time, and every cue lasts at least 1 ms, whatever the engine said
            long start = Math.max(segment.startMs(), previousEnd);
            long end = Math.max(segment.endMs(), start + lines.size());
            int[][] spans = wordSpans(segment);
            int total = lines.stream().mapToInt(String::length).sum();
            int done = 0;
            int doneLetters = 0;
            long cueFloor = start;
            for (int i = 0; i < lines.size(); i += MAX_LINES) {
                List<String> cueLines = lines.subList(i, Math.min(i + MAX_LINES, lines.size()));
                long cueStart = start + (end - start) * done / total;
                done += cueLines.stream().mapToInt(String::length).sum();
                long cueEnd = start + (end - start) * done / total;
                int letters = cueLines.stream()
                        .mapToInt(l -> l.replace(" ", "").length())
                        .sum();
                if (spans != null) {
                    // the cue's words say when its text is spoken: from its first word's start to its last word's end
                    int first = -1;
                    int last = -1;
                    for (int w = 0; w < spans.length; w++) {
                        if (spans[w][0] < doneLetters + letters && spans[w][1] > doneLetters) {
                            first = first < 0 ? w : first;
                            last = w;
                        }
                    }
                    if (first >= 0) {
                        cueStart = segment.words().get(first).startMs();
                        cueEnd = segment.words().get(last).endMs();
                    }
                }
                doneLetters += letters;
                cueStart = Math.max(cueStart, cueFloor);
                cueEnd = Math.max(cueEnd, cueStart + 1);
                cues.add(new Cue(cueStart, cueEnd, List.copyOf(cueLines)));
                cueFloor = cueEnd;
            }
            previousEnd = cues.get(cues.size() - 1).endMs();
        }
        return cues;
    }

    /**
     * Where each of the segment's words lies in its text, counted in non-space characters ([from, to) per word), so
     * that a cue's lines find their words; null when the segment has no words or they do not spell its text in
     * order (the cue times are then shared out by length). Case and punctuation between words are allowed for
     * (Tencent's text is punctuated, its words are not).
     */
    static int[][] wordSpans(Transcript.Segment segment) {
        List<Word> words = segment.words();
        if (words == null || words.isEmpty()) {
            return null;
        }
        String letters = segment.text().replaceAll("\\s+", "");
        int[][] spans = new int[words.size()][];
        int at = 0;
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w).word().replaceAll("\\s+", "");
            int found = -1;
            for (int i = at; i + word.length() <= letters.length(); i++) {
                if (letters.regionMatches(true, i, word, 0, word.length())) {
                    found = i;
                    break;
                }
            }
            if (found < 0 || word.isEmpty()) {
                return null;
            }
            spans[w] = new int[] {found, found + word.length()};
            at = found + word.length();
        }
        return spans;
    }

    /** Words to lines of at most MAX_LINE characters; a longer word (or unspaced text, e.g. Chinese) is cut. */
    static List<String> wrap(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            while (word.codePointCount(0, word.length()) > MAX_LINE) {
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                int cut = word.offsetByCodePoints(0, MAX_LINE);
                lines.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            int length = line.codePointCount(0, line.length());
            if (!line.isEmpty() && length + 1 + word.codePointCount(0, word.length()) > MAX_LINE) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    static String srt(List<Transcript.Segment> segments) {
        StringBuilder out = new StringBuilder();
        int number = 1;
        for (Cue cue : cues(segments)) {
            out.append(number++)
                    .append('\n')
                    .append(time(cue.startMs(), ','))
                    .append(" --> ")
                    .append(time(cue.endMs(), ','))
                    .append('\n');
            // SubRip has no escaping: an arrow in the text would read as a timing line to some players
            cue.lines().forEach(l -> out.append(l.replace("-->", "->")).append('\n'));
            out.append('\n');
        }
        return out.toString();
    }

    static String vtt(List<Transcript.Segment> segments) {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (Cue cue : cues(segments)) {
            out.append(time(cue.startMs(), '.'))
                    .append(" --> ")
                    .append(time(cue.endMs(), '.'))
                    .append('\n');
            // WebVTT cue text is markup: &, < and > are escaped (which also keeps "-->" out of it)
            cue.lines()
                    .forEach(l -> out.append(
                                    l.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                            .append('\n'));
            out.append('\n');
        }
        return out.toString();
    }

    /** One final a line, as the client received them. */
    static String txt(List<Transcript.Segment> segments) {
        StringBuilder out = new StringBuilder();
        segments.stream()
                .map(s -> s.text().strip().replaceAll("\\s+", " "))
                .filter(t -> !t.isEmpty())
                .forEach(t -> out.append(t).append('\n'));
        return out.toString();
    }

    private static String time(long ms, char fraction) {
        return String.format(
                "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, fraction, ms % 1000);
    }
}
