package com.realtimevoice.faults.client;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * What one client says in a session: speech fixtures one after another with silence between them, as 100 ms
 * chunks of 16 kHz 16-bit mono PCM (the chunks are numbered 0, 1, 2.. by the order they are sent).
 */
public record Program(String name, List<byte[]> chunks) {

    public static final int CHUNK_BYTES = SpeechFixtures.CHUNK_BYTES;

    public static Program of(String name, double gapSeconds, String... fixtures) {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        byte[] gap = new byte[(int) (gapSeconds * SpeechFixtures.SAMPLE_RATE) * 2];
        for (int i = 0; i < fixtures.length; i++) {
            if (i > 0) {
                pcm.writeBytes(gap);
            }
            pcm.writeBytes(SpeechFixtures.pcm(fixtures[i]));
        }
        return new Program(name, SpeechFixtures.chunks(pcm.toByteArray(), CHUNK_BYTES));
    }

    public double seconds() {
        return chunks.size() / 10.0;
    }
}
