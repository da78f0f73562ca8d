package com.realtimevoice.worker.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A streaming band-limited resampler: polyphase windowed-sinc (Kaiser window, beta 8.6, about 80 dB stop-band
 * rejection) for a rational ratio L/M. The low-pass cuts at 92% of the lower of the two Nyquist frequencies, so
 * downsampling 48 kHz to 16 kHz removes everything above 7.4 kHz before it can alias, and upsampling 8 kHz to 16 kHz
 * interpolates without images. Chunks may be any length; the output is the same as for one call on the whole
 * signal (the filter's history is kept across calls). Not thread-safe: one per session.
 */
public final class Resampler {

    private static final int ZERO_CROSSINGS = 16;
    private static final double ROLLOFF = 0.92;
    private static final double KAISER_BETA = 8.6;
    private static final Map<Long, float[][]> KERNELS = new ConcurrentHashMap<>();

    private final int up; // L
    private final int down; // M
    private final int half; // taps on each side of the output instant, in input samples
    private final float[][] kernels; // [phase][2 * half]
    /** Input not yet consumed; history[0] is input sample number {@code base}. */
    private float[] history;

    private int length;
    private long base;
    /** Input samples received so far. */
    private long received;
    /** Next output sample number. */
    private long next;

    private Resampler(int inRate, int outRate) {
        int g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        double cutoff = 0.5 * Math.min(1.0, (double) up / down) * ROLLOFF; // cycles per input sample
        this.half = (int) Math.ceil(ZERO_CROSSINGS / (2 * cutoff));
        this.kernels = KERNELS.computeIfAbsent(((long) up << 32) | down, k -> design(up, half, cutoff));
        // Samples before the first one are silence: start with half - 1 zeros of history.
        this.history = new float[Math.max(4096, 2 * half)];
        this.length = half - 1;
        this.base = -(half - 1);
    }

    /** @throws IllegalArgumentException for rates whose ratio would need an unreasonable filter bank */
    public static Resampler create(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("rates must be positive");
        }
        if (outRate / gcd(inRate, outRate) > 4096) {
            throw new IllegalArgumentException("cannot resample " + inRate + " Hz to " + outRate + " Hz");
        }
        return new Resampler(inRate, outRate);
    }

    /** Whole-signal convenience: resample and flush. */
    public static short[] convert(short[] pcm, int inRate, int outRate) {
        if (inRate == outRate) {
            return pcm.clone();
        }
        Resampler r = create(inRate, outRate);
        short[] a = r.process(pcm);
        short[] b = r.flush();
        short[] out = new short[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Feeds samples; returns the output samples whose whole filter window is now known (often a few fewer). */
    public short[] process(short[] in) {
        append(in, in.length);
        received += in.length;
        return drain(false);
    }

    /** No more input: pads with silence and returns the rest, so that the output has inputLength * L / M samples. */
    public short[] flush() {
        append(new short[half + 1], half + 1);
        return drain(true);
    }

    private void append(short[] in, int n) {
        if (length + n > history.length) {
            float[] bigger = new float[Math.max(history.length * 2, length + n)];
            System.arraycopy(history, 0, bigger, 0, length);
            history = bigger;
        }
        for (int k = 0; k < n; k++) {
            history[length + k] = in[k];
        }
        length += n;
    }

    private short[] drain(boolean last) {
        long available = base + length; // one past the last input sample held
        long limit = last ? ceilDiv(received * up, down) : Long.MAX_VALUE;
        // Output n sits at input time n * M / L; it needs inputs up to floor(n * M / L) + half.
        long first = next;
        long count = 0;
        while (next < limit) {
            long i = Math.floorDiv(next * down, up);
            if (i + half >= available) {
                break;
            }
            count++;
            next++;
        }
        short[] out = new short[(int) count];
        for (int k = 0; k < count; k++) {
            long n = first + k;
            long i = Math.floorDiv(n * down, up);
            int phase = (int) Math.floorMod(n * down, (long) up);
            float[] h = kernels[phase];
            int start = (int) (i - half + 1 - base);
            double acc = 0;
            for (int t = 0; t < h.length; t++) {
                acc += history[start + t] * h[t];
            }
            long v = Math.round(acc);
            out[k] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
        }
        // Drop input no future output needs.
        long keepFrom = Math.floorDiv(next * down, up) - half + 1;
        int drop = (int) Math.max(0, Math.min(length, keepFrom - base));
        if (drop > 0) {
            System.arraycopy(history, drop, history, 0, length - drop);
            length -= drop;
            base += drop;
        }
        return out;
    }

    /** h(tau) = 2 fc sinc(2 fc tau) kaiser(tau / half), sampled at tau = half - 1 - t + phase / L, each phase normalised to unit DC gain. */
    private static float[][] design(int up, int half, double cutoff) {
        float[][] bank = new float[up][2 * half];
        double i0Beta = besselI0(KAISER_BETA);
        for (int p = 0; p < up; p++) {
            double sum = 0;
            double[] h = new double[2 * half];
            for (int t = 0; t < 2 * half; t++) {
                double tau = half - 1 - t + (double) p / up;
                double x = tau / half;
                if (Math.abs(x) >= 1) {
                    continue;
                }
                double arg = 2 * cutoff * tau;
                double sinc = arg == 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
                h[t] = 2 * cutoff * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
                sum += h[t];
            }
            for (int t = 0; t < 2 * half; t++) {
                bank[p][t] = (float) (h[t] / sum);
            }
        }
        return bank;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double halfX = x / 2;
        for (int k = 1; k < 50; k++) {
            term *= (halfX / k) * (halfX / k);
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
