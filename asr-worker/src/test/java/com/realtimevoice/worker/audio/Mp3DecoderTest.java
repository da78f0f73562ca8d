package com.realtimevoice.worker.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JLayer behind our own framing, on the committed MP3 fixtures (lame and ffmpeg encodes). */
class Mp3DecoderTest {

    @ParameterizedTest(name = "{0}: {1} Hz, about {2} ms")
    @CsvSource({
        "weather-16k-mono.mp3,      16000, 3323", // MPEG-2, WeChat RecorderManager's defaults
        "time-8k-mono.mp3,          8000,  2646", // MPEG-2.5
        "sentences-44k1-stereo.mp3, 44100, 13726", // MPEG-1 joint stereo, ID3v2 tag first
    })
    void decodesWholeFiles(String file, int rate, long ms) {
        Mp3Decoder decoder = new Mp3Decoder();
        short[] pcm = concat(decoder.decode(FormatFixtures.bytes(file)), decoder.finish());
        assertThat(decoder.sampleRate()).isEqualTo(rate);
        // encoder delay and padding add up to a few frames
        assertThat(pcm.length * 1000L / rate).isBetween(ms - 10, ms + 200);
        assertThat(peak(pcm)).as("audible speech").isGreaterThan(3000);
    }

    @Test
    void piecesCutAnywhereDecodeLikeTheWholeFile() {
        byte[] mp3 = FormatFixtures.bytes("sentences-44k1-stereo.mp3");
        Mp3Decoder whole = new Mp3Decoder();
        short[] expected = concat(whole.decode(mp3), whole.finish());
        for (int size : new int[] {1, 417, 1024, 5000}) { // WeChat's frameSize is whole KB; 1 and 417 are worse
            Mp3Decoder pieces = new Mp3Decoder();
            short[] out = new short[0];
            for (int off = 0; off < mp3.length; off += size) {
                out = concat(out, pieces.decode(Arrays.copyOfRange(mp3, off, Math.min(mp3.length, off + size))));
            }
            out = concat(out, pieces.finish());
            assertThat(out).as("pieces of %d bytes", size).isEqualTo(expected);
        }
    }

    @Test
    void keepsTheOriginalFramesForPassThrough() {
        byte[] mp3 = FormatFixtures.bytes("weather-16k-mono.mp3");
        Mp3Decoder decoder = new Mp3Decoder();
        decoder.decode(mp3);
        decoder.finish();
        var frames = decoder.frames(16_000, 32_000); // the second second of audio
        assertThat(frames).isNotEmpty();
        assertThat(frames.get(0).firstSample()).isLessThanOrEqualTo(16_000 - 2 * 576);
        assertThat(frames.get(frames.size() - 1).firstSample()).isLessThan(32_000);
        // the bytes are the file's own, in order
        byte[] first = frames.get(0).bytes();
        assertThat(indexOf(mp3, first)).isPositive();
    }

    @Test
    void junkIsSkippedAndNonMp3IsNotDecoded() {
        Mp3Decoder decoder = new Mp3Decoder();
        assertThat(decoder.decode("this is not an mp3 stream at all, just text".getBytes()))
                .isEmpty();
        assertThat(decoder.finish()).isEmpty();
        assertThat(decoder.bytesSkipped()).isPositive();
        assertThatThrownBy(() -> AudioFormat.parse("ogg", 16000)).hasMessageContaining("not supported");
    }

    private static int peak(short[] s) {
        int p = 0;
        for (short x : s) {
            p = Math.max(p, Math.abs(x));
        }
        return p;
    }

    static short[] concat(short[] a, short[] b) {
        short[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
