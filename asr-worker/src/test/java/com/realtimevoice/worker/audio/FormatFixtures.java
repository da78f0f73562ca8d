package com.realtimevoice.worker.audio;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** fixtures/formats: the speech fixtures re-encoded as clients send them (scripts/make-format-fixtures.sh). */
public final class FormatFixtures {

    public static final Path DIR = SpeechFixtures.DIR.resolveSibling("formats");

    private FormatFixtures() {}

    public static byte[] bytes(String file) {
        try {
            return Files.readAllBytes(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String reference(String file) {
        Map<String, String> texts = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(DIR.resolve("transcripts.tsv"))
                    .subList(
                            1,
                            Files.readAllLines(DIR.resolve("transcripts.tsv")).size())) {
                String[] cols = line.split("\t", 2);
                texts.put(cols[0], cols[1].strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = texts.get(file);
        if (text == null) {
            throw new IllegalArgumentException("no reference for " + file);
        }
        return text;
    }

    /** The samples of a WAV fixture's data chunk (any header layout), as bytes. */
    public static byte[] wavData(byte[] wav) {
        int pos = 12;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(wav).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (pos + 8 <= wav.length) {
            int size = b.getInt(pos + 4);
            if (b.getInt(pos) == 0x61746164) {
                return java.util.Arrays.copyOfRange(wav, pos + 8, Math.min(wav.length, pos + 8 + size));
            }
            pos += 8 + size + (size & 1);
        }
        throw new IllegalArgumentException("no data chunk");
    }
}
