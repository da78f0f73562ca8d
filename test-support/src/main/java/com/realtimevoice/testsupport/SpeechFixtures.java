package com.realtimevoice.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The committed speech fixtures (../fixtures/speech from the module): 16 kHz mono 16-bit PCM WAV files and their texts. */
public final class SpeechFixtures {

    /** fixtures/speech at the repository root, found from whichever module's directory the tests run in. */
    public static final Path DIR = locate();

    public static final int SAMPLE_RATE = 16_000;
    /** 100 ms of 16 kHz 16-bit mono audio. */
    public static final int CHUNK_BYTES = SAMPLE_RATE * 2 / 10;

    private SpeechFixtures() {}

    /** file name -> reference text, from transcripts.tsv. */
    public static Map<String, String> transcripts() {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String line : read("transcripts.tsv").lines().skip(1).toList()) {
            String[] cols = line.split("\t", 2);
            if (cols.length == 2) {
                texts.put(cols[0], cols[1].strip());
            }
        }
        return texts;
    }

    /** The PCM samples of a fixture: the data chunk of the WAV, checked to be 16 kHz mono 16-bit. */
    public static byte[] pcm(String file) {
        try {
            byte[] wav = Files.readAllBytes(DIR.resolve(file));
            ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) { // "RIFF", "WAVE"
                throw new IllegalArgumentException(file + " is not a WAV file");
            }
            // Walk the chunks rather than assume a 44-byte header.
            int pos = 12;
            while (pos + 8 <= wav.length) {
                int id = b.getInt(pos);
                int size = b.getInt(pos + 4);
                if (id == 0x20746d66) { // "fmt "
                    int channels = b.getShort(pos + 10);
                    int rate = b.getInt(pos + 12);
                    int bits = b.getShort(pos + 22);
                    if (channels != 1 || rate != SAMPLE_RATE || bits != 16) {
                        throw new IllegalArgumentException(file + ": expected 16 kHz mono 16-bit, got " + rate + " Hz, "
                                + channels + " channels, " + bits + " bits");
                    }
                } else if (id == 0x61746164) { // "data"
                    return Arrays.copyOfRange(wav, pos + 8, Math.min(wav.length, pos + 8 + size));
                }
                pos += 8 + size + (size & 1);
            }
            throw new IllegalArgumentException(file + " has no data chunk");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path wav(String file) {
        return DIR.resolve(file);
    }

    /** What a fixture says, from transcripts.tsv. */
    public static String reference(String file) {
        String text = transcripts().get(file);
        if (text == null) {
            throw new IllegalArgumentException("no reference text for " + file + " in transcripts.tsv");
        }
        return text;
    }

    private static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("fixtures/speech"))) {
                return p.resolve("fixtures/speech");
            }
        }
        throw new IllegalStateException(
                "fixtures/speech not found above " + Path.of("").toAbsolutePath());
    }

    /** Splits audio into chunks of {@code chunkBytes} (the last one may be shorter). */
    public static List<byte[]> chunks(byte[] pcm, int chunkBytes) {
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < pcm.length; off += chunkBytes) {
            chunks.add(Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + chunkBytes)));
        }
        return chunks;
    }

    private static String read(String file) {
        try {
            return Files.readString(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
