package com.realtimevoice.worker.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The polyphase windowed-sinc resampler measured on pure tones (Goertzel power at one frequency). */
class ResamplerTest {

    @ParameterizedTest(name = "{0} Hz -> 16 kHz keeps a 1 kHz tone")
    @CsvSource({"8000", "11025", "22050", "24000", "32000", "44100", "48000"})
    void passesSpeechBandUnchanged(int rate) {
        short[] tone = tone(1000, rate, 1.0, 10_000);
        short[] out = Resampler.convert(tone, rate, 16_000);
        assertThat(out.length).isBetween(15_999, 16_001);
        double level = amplitude(Arrays.copyOfRange(out, 2000, 14000), 1000, 16_000);
        assertThat(level).as("1 kHz amplitude after %d -> 16000", rate).isBetween(9_900.0, 10_100.0);
    }

    @ParameterizedTest(name = "{0} Hz tone at 48 kHz is removed, not folded to {1} Hz")
    @CsvSource({"10000, 6000", "12000, 4000", "15000, 1000"})
    void rejectsWhatWouldAlias(int toneHz, int aliasHz) {
        short[] tone = tone(toneHz, 48_000, 1.0, 10_000);
        short[] out = Resampler.convert(tone, 48_000, 16_000);
        double alias = amplitude(Arrays.copyOfRange(out, 2000, 14000), aliasHz, 16_000);
        // 10000 -> -60 dB is 10; nearest-sample decimation would leave the full 10000 at the alias frequency
        assertThat(alias).as("alias of %d Hz at %d Hz", toneHz, aliasHz).isLessThan(10.0);
    }

    @Test
    void upsamplingLeavesNoImage() {
        short[] tone = tone(1000, 8000, 1.0, 10_000);
        short[] out = Resampler.convert(tone, 8000, 16_000);
        // zero-stuffing or sample-and-hold would put an image of 1 kHz at 7 kHz
        assertThat(amplitude(Arrays.copyOfRange(out, 2000, 14000), 7000, 16_000))
                .isLessThan(10.0);
    }

    @Test
    void chunkedInputGivesTheSameOutputAsOneCall() {
        short[] tone = tone(440, 44_100, 0.5, 8000);
        short[] whole = Resampler.convert(tone, 44_100, 16_000);
        Resampler r = Resampler.create(44_100, 16_000);
        short[] chunked = new short[0];
        int[] sizes = {1, 7, 441, 1000, 3, 4410};
        int pos = 0;
        for (int k = 0; pos < tone.length; k++) {
            int n = Math.min(sizes[k % sizes.length], tone.length - pos);
            chunked = concat(chunked, r.process(Arrays.copyOfRange(tone, pos, pos + n)));
            pos += n;
        }
        chunked = concat(chunked, r.flush());
        assertThat(chunked).isEqualTo(whole);
    }

    static short[] tone(double hz, int rate, double seconds, double amplitude) {
        short[] s = new short[(int) (rate * seconds)];
        for (int k = 0; k < s.length; k++) {
            s[k] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * k / rate));
        }
        return s;
    }

    /** Amplitude of the component at {@code hz} (Goertzel, normalised). */
    static double amplitude(short[] s, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (short x : s) {
            double s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return 2 * Math.sqrt(power) / s.length;
    }

    private static short[] concat(short[] a, short[] b) {
        short[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
