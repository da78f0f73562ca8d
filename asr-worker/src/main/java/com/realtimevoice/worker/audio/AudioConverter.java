package com.realtimevoice.worker.audio;

import java.util.List;

/**
 * One session's audio, from the encoding the client chose to what every engine here is fed: 16 kHz 16-bit mono
 * PCM. Downmixes interleaved channels (average), decodes MP3, and resamples with {@link Resampler}. State carries
 * over between chunks (resampler history, MP3 bit reservoir, a byte of a sample split between chunks), so feeding
 * the same chunks again from the start of a session (a replay) gives the same samples. Not thread-safe.
 */
public final class AudioConverter {

    public static final int PIPELINE_RATE = 16_000;

    private final AudioFormat format;
    private final Mp3Decoder mp3;
    private Resampler resampler;
    private int resamplerRate;
    /** Bytes of a sample frame split across chunks (PCM only). */
    private final byte[] carry;

    private int carried;

    public AudioConverter(AudioFormat format) {
        this.format = format;
        this.mp3 = format.codec() == AudioFormat.Codec.MP3 ? new Mp3Decoder() : null;
        this.carry = new byte[2 * format.channels()];
    }

    public AudioFormat format() {
        return format;
    }

    /** The MP3 decoder of an MP3 session (for pass-through of the original frames), else null. */
    public Mp3Decoder mp3() {
        return mp3;
    }

    /**
     * @return the chunk's audio as 16 kHz mono PCM (little-endian bytes); may be empty while a resampler or MP3
     *         frame waits for more input
     * @throws IllegalArgumentException if the bytes cannot be decoded
     */
    public byte[] convert(byte[] chunk) {
        if (format.isPipelineNative()) {
            return chunk;
        }
        if (mp3 != null) {
            return toBytes(resample(mp3.decode(chunk), mp3.sampleRate(), false));
        }
        return toBytes(resample(downmix(chunk), format.sampleRate(), false));
    }

    /** End of the session's audio: what the resampler and decoder still hold. */
    public byte[] finish() {
        if (format.isPipelineNative()) {
            return new byte[0];
        }
        short[] tail = mp3 != null ? mp3.finish() : new short[0];
        int rate = mp3 != null ? mp3.sampleRate() : format.sampleRate();
        return toBytes(resample(tail, rate, true));
    }

    private short[] resample(short[] pcm, int rate, boolean flush) {
        if (rate == 0) {
            return pcm; // no MP3 frame yet
        }
        if (rate == PIPELINE_RATE) {
            return pcm;
        }
        if (resampler == null || resamplerRate != rate) {
            resampler = Resampler.create(rate, PIPELINE_RATE);
            resamplerRate = rate;
        }
        short[] out = resampler.process(pcm);
        if (!flush) {
            return out;
        }
        short[] rest = resampler.flush();
        short[] all = new short[out.length + rest.length];
        System.arraycopy(out, 0, all, 0, out.length);
        System.arraycopy(rest, 0, all, out.length, rest.length);
        return all;
    }

    /** Little-endian interleaved 16-bit frames to mono samples; a partial frame waits for the next chunk. */
    private short[] downmix(byte[] chunk) {
        int frameBytes = carry.length;
        int total = carried + chunk.length;
        int frames = total / frameBytes;
        short[] out = new short[frames];
        int channels = format.channels();
        byte[] frame = new byte[frameBytes];
        for (int f = 0; f < frames; f++) {
            for (int k = 0; k < frameBytes; k++) {
                int idx = f * frameBytes + k;
                frame[k] = idx < carried ? carry[idx] : chunk[idx - carried];
            }
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += (short) ((frame[2 * c] & 0xFF) | (frame[2 * c + 1] << 8));
            }
            out[f] = (short) (sum / channels);
        }
        int used = frames * frameBytes;
        int left = total - used;
        byte[] rest = new byte[left];
        for (int k = 0; k < left; k++) {
            int idx = used + k;
            rest[k] = idx < carried ? carry[idx] : chunk[idx - carried];
        }
        System.arraycopy(rest, 0, carry, 0, left);
        carried = left;
        return out;
    }

    public static short[] toShorts(byte[] pcm16le) {
        short[] out = new short[pcm16le.length / 2];
        for (int k = 0; k < out.length; k++) {
            out[k] = (short) ((pcm16le[2 * k] & 0xFF) | (pcm16le[2 * k + 1] << 8));
        }
        return out;
    }

    public static byte[] toBytes(short[] pcm) {
        byte[] out = new byte[pcm.length * 2];
        for (int k = 0; k < pcm.length; k++) {
            out[2 * k] = (byte) pcm[k];
            out[2 * k + 1] = (byte) (pcm[k] >> 8);
        }
        return out;
    }

    /** The MP3 frames of decoded-stream samples [from, to) at the MP3's own rate, or none for PCM sessions. */
    public List<Mp3Decoder.Frame> mp3Frames(long fromMs, long toMs) {
        if (mp3 == null || mp3.sampleRate() == 0) {
            return List.of();
        }
        long rate = mp3.sampleRate();
        return mp3.frames(fromMs * rate / 1000, toMs * rate / 1000);
    }
}
