package com.realtimevoice.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The committed speech WAVs in fixtures/speech and what each one says. */
public final class SpeechFixtures {

    public static final Path DIR = locate();

    private SpeechFixtures() {
    }

    public static Path wav(String name) {
        return DIR.resolve(name);
    }

    /** The PCM samples of a 16 kHz mono WAV, without its 44-byte canonical header. */
    public static byte[] pcm(String name) {
        try {
            byte[] wav = Files.readAllBytes(wav(name));
            return Arrays.copyOfRange(wav, 44, wav.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String reference(String name) {
        try {
            Map<String, String> refs = new LinkedHashMap<>();
            List<String> lines = Files.readAllLines(DIR.resolve("transcripts.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] cols = line.split("\t");
                refs.put(cols[0], cols[1]);
            }
            return refs.get(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Word error rate: word-level edit distance divided by the reference's word count. */
    public static double wordErrorRate(String reference, String hypothesis) {
        List<String> ref = words(reference);
        List<String> hyp = words(hypothesis);
        int[][] d = new int[ref.size() + 1][hyp.size() + 1];
        for (int i = 0; i <= ref.size(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= hyp.size(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= hyp.size(); j++) {
                int sub = ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + sub);
            }
        }
        return ref.isEmpty() ? (hyp.isEmpty() ? 0 : 1) : (double) d[ref.size()][hyp.size()] / ref.size();
    }

    private static List<String> words(String text) {
        String t = text == null ? "" : text.toLowerCase().replaceAll("[^a-z0-9' ]", " ").trim();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    private static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("fixtures/speech"))) {
                return p.resolve("fixtures/speech");
            }
        }
        throw new IllegalStateException("fixtures/speech not found above " + Path.of("").toAbsolutePath());
    }
}
