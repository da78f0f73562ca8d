package com.realtimevoice.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.realtimevoice.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs, many thousands of them, for the parsers that see untrusted bytes first: whatever comes in,
 * the only outcomes are a parsed value or a documented error, never another exception. A failure prints the seed
 * and the case number so it can be replayed.
 */
class ParserFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20261125L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 20_000);

    private static final List<String> VALID = List.of(
            "{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000,\"language\":\"en-US\",\"interimResults\":true}",
            "{\"type\":\"start\",\"token\":\"abc.def.ghi\"}",
            "{\"type\":\"end\"}",
            "{\"type\":\"stop\"}",
            "{\"type\":\"ping\"}",
            "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":3}");

    @Test
    void controlMessageParserNeverThrows() {
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            String input = mutateText(random, VALID.get(random.nextInt(VALID.size())));
            try {
                Object parsed = ProtocolCodec.parseClient(input);
                assertThat(parsed).isNotNull();
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + SEED + " case " + i + " input " + input + " threw " + e);
            }
        }
    }

    @Test
    void uploadParserNeverThrowsAnythingButItsDocumentedError() throws Exception {
        Random random = new Random(SEED + 1);
        byte[] wav = java.nio.file.Files.readAllBytes(com.realtimevoice.testsupport.SpeechFixtures.wav("time.wav"));
        byte[] head = java.util.Arrays.copyOf(wav, 400);
        for (int i = 0; i < CASES; i++) {
            byte[] input = mutateBytes(random, head);
            String name = random.nextBoolean()
                    ? "x.wav"
                    : random.nextBoolean() ? "x.pcm" : random.nextBoolean() ? "x.mp3" : null;
            try {
                com.realtimevoice.ingest.recognize.UploadedAudioFuzzAccess.parse(input, name);
            } catch (com.realtimevoice.ingest.recognize.UploadedAudioFuzzAccess.Documented expected) {
                // a documented refusal: BAD_REQUEST or UNSUPPORTED_FORMAT
            } catch (RuntimeException e) {
                fail("seed " + (SEED + 1) + " case " + i + " (" + name + ", " + input.length + " bytes) threw " + e);
            }
        }
    }

    private static final String ALPHABET = "{}[]\",:\\0123456789truefalsenull ";

    static String mutateText(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length() > 0; e++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(7)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, (char) r.nextInt(0x3000));
                case 2 -> b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 3 -> b.insert(at, "{\"type\":" + (r.nextBoolean() ? "\"start\"" : "[1,{}]") + ",");
                case 4 -> b.setLength(at);
                case 5 -> b.insert(at, "[".repeat(r.nextInt(2000)));
                default -> b.insert(at, "\"sampleRate\":" + (r.nextBoolean() ? r.nextLong() : r.nextDouble()) + ",");
            }
        }
        return b.toString();
    }

    static byte[] mutateBytes(Random r, byte[] seed) {
        byte[] b = r.nextInt(5) == 0
                ? new byte[r.nextInt(600)]
                : java.util.Arrays.copyOf(seed, r.nextInt(seed.length + 1));
        if (r.nextInt(5) == 0) {
            r.nextBytes(b);
        }
        int edits = r.nextInt(8);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> { // a chunk size field: 0, huge, negative
                    int v = List.of(0, Integer.MAX_VALUE, -1, 7, 1 << 30).get(r.nextInt(5));
                    for (int k = 0; k < 4 && at + k < b.length; k++) {
                        b[at + k] = (byte) (v >>> (8 * k));
                    }
                }
                default -> {
                    byte[] tag = List.of("fmt ", "data", "RIFF", "WAVE", "LIST")
                            .get(r.nextInt(5))
                            .getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(tag, 0, b, at, Math.min(tag.length, b.length - at));
                }
            }
        }
        return b;
    }
}
