package com.realtimevoice.tools;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/** What the server accepts (16 kHz 16-bit mono PCM) and how files get there: WAV parsing, downmix, resampling. */
public final class Audio {

    static final int RATE = 16_000;
    /** 100 ms of 16 kHz 16-bit mono. */
    public static final int CHUNK_BYTES = RATE * 2 / 10;

    private Audio() {}

    /** Input the server cannot take; the message says what to do instead. */
    public static final class UnsupportedAudioException extends Exception {
        UnsupportedAudioException(String message) {
            super(message);
        }
    }

    /** 16 kHz mono 16-bit little-endian samples and a note on what was converted (null when nothing was). */
    public record Pcm(byte[] data, String conversion) {
        public double seconds() {
            return data.length / 2.0 / RATE;
        }
    }

    static final String MP3_MESSAGE = "MP3 input is not accepted by the server yet (the contract lists it, the server "
            + "answers UNSUPPORTED_FORMAT); convert it first: sox in.mp3 -r 16000 -c 1 -b 16 out.wav "
            + "(or ffmpeg -i in.mp3 -ar 16000 -ac 1 out.wav)";

    /** MP3 by name or by content (an ID3 tag or an MPEG audio frame sync). */
    static boolean looksLikeMp3(String name, byte[] head) {
        if (name != null && name.toLowerCase(Locale.ROOT).endsWith(".mp3")) {
            return true;
        }
        if (head.length >= 3 && head[0] == 'I' && head[1] == 'D' && head[2] == '3') {
            return true;
        }
        return head.length >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xe0) == 0xe0 && (head[1] & 0x06) != 0;
    }

    static boolean looksLikeWav(byte[] head) {
        return head.length >= 12
                && head[0] == 'R'
                && head[1] == 'I'
                && head[2] == 'F'
                && head[3] == 'F'
                && head[8] == 'W'
                && head[9] == 'A'
                && head[10] == 'V'
                && head[11] == 'E';
    }

    /**
     * The samples of a WAV as 16 kHz mono 16-bit: PCM of 8, 16, 24 or 32 bits or 32-bit float, any channel count
     * (averaged) and any rate (resampled).
     */
    public static Pcm fromWav(byte[] wav) throws UnsupportedAudioException {
        if (!looksLikeWav(wav)) {
            throw new UnsupportedAudioException("not a WAV file (no RIFF/WAVE header)");
        }
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int pos = 12;
        while (pos + 8 <= wav.length) {
            int id = b.getInt(pos);
            long size = b.getInt(pos + 4) & 0xffffffffL;
            if (id == 0x20746d66) { // "fmt "
                format = b.getShort(pos + 8) & 0xffff;
                channels = b.getShort(pos + 10);
                rate = b.getInt(pos + 12);
                bits = b.getShort(pos + 22);
                if (format == 0xfffe && size >= 26) { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
                    format = b.getShort(pos + 32) & 0xffff;
                }
            } else if (id == 0x61746164) { // "data"
                if (format < 0) {
                    throw new UnsupportedAudioException("WAV without a fmt chunk before its data");
                }
                // A data length that overstates the file (streamed WAVs write 0 or -1) is clamped.
                int end = (int) Math.min(wav.length, pos + 8 + size);
                return convert(Arrays.copyOfRange(wav, pos + 8, end), format, channels, rate, bits);
            }
            pos += 8 + (int) size + (int) (size & 1);
        }
        throw new UnsupportedAudioException("WAV without a data chunk");
    }

    private static Pcm convert(byte[] data, int format, int channels, int rate, int bits)
            throws UnsupportedAudioException {
        if (format == 0x55) {
            throw new UnsupportedAudioException(MP3_MESSAGE);
        }
        boolean pcm = format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        boolean flt = format == 3 && bits == 32;
        if (!pcm && !flt) {
            throw new UnsupportedAudioException(
                    "WAV format " + format + " with " + bits + " bits is not supported; convert it: "
                            + "sox in.wav -r 16000 -c 1 -b 16 -e signed-integer out.wav");
        }
        if (channels < 1 || rate < 1000) {
            throw new UnsupportedAudioException("WAV with " + channels + " channels at " + rate + " Hz makes no sense");
        }
        if (format == 1 && bits == 16 && channels == 1 && rate == RATE) {
            return new Pcm(data.length % 2 == 0 ? data : Arrays.copyOf(data, data.length - 1), null);
        }
        int bytes = bits / 8;
        int frames = data.length / (bytes * channels);
        float[] mono = new float[frames];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                int at = (f * channels + c) * bytes;
                sum += sample(b, at, bits, flt);
            }
            mono[f] = sum / channels;
        }
        float[] resampled = resample(mono, rate, RATE);
        String note = rate + " Hz " + (channels == 1 ? "mono" : channels + " channels") + " "
                + (flt ? "float" : bits + "-bit") + " -> 16 kHz mono 16-bit";
        return new Pcm(toPcm16(resampled), note);
    }

    private static float sample(ByteBuffer b, int at, int bits, boolean flt) {
        if (flt) {
            return b.getFloat(at);
        }
        switch (bits) {
            case 8:
                return ((b.get(at) & 0xff) - 128) / 128f;
            case 16:
                return b.getShort(at) / 32768f;
            case 24:
                int v = (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8 | b.get(at + 2) << 16;
                return v / 8388608f;
            default:
                return b.getInt(at) / 2147483648f;
        }
    }

    /**
     * Linear interpolation; when going down in rate, each output sample is first averaged over the input samples it
     * covers (a box low-pass), which keeps speech above 4 kHz from folding back into the band the recogniser uses.
     */
    static float[] resample(float[] in, int from, int to) {
        if (from == to) {
            return in;
        }
        double step = (double) from / to;
        int n = (int) Math.floor(in.length / step);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double pos = i * step;
            if (step > 1) {
                int start = (int) Math.floor(pos);
                int end = Math.min(in.length, (int) Math.floor(pos + step));
                float sum = 0;
                for (int k = start; k < end; k++) {
                    sum += in[k];
                }
                out[i] = end > start ? sum / (end - start) : in[Math.min(start, in.length - 1)];
            } else {
                int i0 = (int) Math.floor(pos);
                int i1 = Math.min(in.length - 1, i0 + 1);
                double frac = pos - i0;
                out[i] = (float) (in[i0] * (1 - frac) + in[i1] * frac);
            }
        }
        return out;
    }

    static byte[] toPcm16(float[] samples) {
        ByteBuffer out = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            float clamped = Math.max(-1f, Math.min(1f, s));
            out.putShort((short) Math.round(clamped * 32767));
        }
        return out.array();
    }
}
