package com.realtimevoice.ingest.recognize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * An upload reduced to what the audio topic carries: 16-bit little-endian PCM (interleaved, mono or stereo) at the
 * file's own rate, or MP3 as it is. Ingest unwraps containers only; the worker downmixes, resamples and decodes
 * MP3, as it does for streams (docs/engines.md says why).
 * <ul>
 * <li>WAV: chunks walked in any order (LIST, fact, bext, odd sizes with their pad byte); PCM of 8 (unsigned), 16, 24
 *     or 32 bits, IEEE float of 32 or 64 bits, A-law and mu-law, plain or WAVE_FORMAT_EXTENSIBLE; a {@code data}
 *     length that overstates the file (or is 0 / 0xFFFFFFFF, as streaming writers leave it) is clamped to the file;</li>
 * <li>MP3 (an ID3v2 tag, a frame sync, or a {@code .mp3} name): checked to hold MPEG layer III frames, its length
 *     found by walking their headers;</li>
 * <li>anything else: raw 16 kHz 16-bit mono PCM, as the streaming contract's default.</li>
 * </ul>
 *
 * @param audio      the bytes to publish
 * @param format     the format descriptor for the audio topic: {@code pcm}, {@code pcm;channels=2} or {@code mp3}
 * @param durationMs length of the audio
 */
record UploadedAudio(byte[] audio, String format, int sampleRate, long durationMs) {

    static final Set<Integer> RATES = Set.of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000);
    private static final int PCM = 1;
    private static final int FLOAT = 3;
    private static final int ALAW = 6;
    private static final int MULAW = 7;
    private static final int EXTENSIBLE = 0xFFFE;

    static final class UnsupportedAudioException extends Exception {
        final boolean badRequest;

        UnsupportedAudioException(String message, boolean badRequest) {
            super(message);
            this.badRequest = badRequest;
        }
    }

    static UploadedAudio parse(byte[] bytes, String filename, String contentType) throws UnsupportedAudioException {
        if (bytes.length == 0) {
            throw new UnsupportedAudioException("the 'audio' file is empty", true);
        }
        if (startsWith(bytes, "RIFF")) {
            return parseWav(bytes);
        }
        String name = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
        if (name.endsWith(".mp3")
                || startsWith(bytes, "ID3")
                || (bytes.length > 1 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xE0) == 0xE0)) {
            return parseMp3(bytes);
        }
        if (name.endsWith(".wav")) {
            throw new UnsupportedAudioException("the file is named .wav but has no RIFF/WAVE header", true);
        }
        // Anything else is raw 16 kHz 16-bit little-endian mono PCM, as the streaming contract sends it.
        if (bytes.length % 2 != 0) {
            throw new UnsupportedAudioException(
                    "raw 16-bit PCM must have an even number of bytes, got " + bytes.length, true);
        }
        return new UploadedAudio(bytes, "pcm", 16000, bytes.length / 2 * 1000L / 16000);
    }

    private static UploadedAudio parseWav(byte[] bytes) throws UnsupportedAudioException {
        if (bytes.length < 12 || !new String(bytes, 8, 4, StandardCharsets.US_ASCII).equals("WAVE")) {
            throw new UnsupportedAudioException("RIFF file is not WAVE", true);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long pos = 12; // long: a chunk size near 4 GiB must not wrap the position around
        Integer formatTag = null;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int blockAlign = 0;
        while (pos + 8 <= bytes.length) {
            String id = new String(bytes, (int) pos, 4, StandardCharsets.US_ASCII);
            long size = Integer.toUnsignedLong(b.getInt((int) pos + 4));
            int body = (int) pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + 16 > bytes.length) {
                    throw new UnsupportedAudioException("WAV fmt chunk is truncated", true);
                }
                formatTag = b.getShort(body) & 0xFFFF;
                channels = b.getShort(body + 2) & 0xFFFF;
                rate = b.getInt(body + 4);
                blockAlign = b.getShort(body + 12) & 0xFFFF;
                bits = b.getShort(body + 14) & 0xFFFF;
                if (formatTag == EXTENSIBLE) {
                    // cbSize 22: valid bits, channel mask, then the sub-format GUID whose first two bytes are the tag
                    if (size < 40 || body + 26 > bytes.length) {
                        throw new UnsupportedAudioException("WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated", true);
                    }
                    formatTag = b.getShort(body + 24) & 0xFFFF;
                }
            } else if (id.equals("data")) {
                if (formatTag == null) {
                    throw new UnsupportedAudioException("WAV data chunk comes before its fmt chunk", true);
                }
                int sampleBytes = sampleBytes(formatTag, bits);
                if (sampleBytes == 0
                        || channels < 1
                        || channels > 2
                        || !RATES.contains(rate)
                        || blockAlign != sampleBytes * channels) {
                    throw new UnsupportedAudioException(
                            "WAV must be PCM (8/16/24/32-bit), float (32/64-bit), A-law or mu-law, "
                                    + "mono or stereo, at "
                                    + RATES.stream().sorted().toList() + " Hz; this one is format " + formatTag + ", "
                                    + bits + "-bit, " + channels + " channel(s), " + rate + " Hz",
                            false);
                }
                // a header that lies about its length, or a streaming writer's 0 / 0xFFFFFFFF: the file decides
                long end = size == 0 ? bytes.length : Math.min(bytes.length, body + size);
                int frames = (int) ((end - body) / blockAlign);
                if (frames <= 0) {
                    throw new UnsupportedAudioException("WAV has no audio samples", true);
                }
                byte[] pcm = toPcm16(bytes, body, frames * channels, formatTag, sampleBytes);
                return new UploadedAudio(
                        pcm, channels == 1 ? "pcm" : "pcm;channels=" + channels, rate, frames * 1000L / rate);
            }
            pos = body + size + (size & 1);
        }
        throw new UnsupportedAudioException("WAV has no data chunk", true);
    }

    /** Bytes per sample for a format this parser converts, 0 for the rest. */
    private static int sampleBytes(int tag, int bits) {
        if (tag == PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) {
            return bits / 8;
        }
        if (tag == FLOAT && (bits == 32 || bits == 64)) {
            return bits / 8;
        }
        if ((tag == ALAW || tag == MULAW) && bits == 8) {
            return 1;
        }
        return 0;
    }

    /** Samples to 16-bit little-endian, channels left interleaved (sample-exact; no filtering is needed for a width change). */
    private static byte[] toPcm16(byte[] in, int offset, int samples, int tag, int width) {
        ByteBuffer src = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[samples * 2];
        for (int k = 0; k < samples; k++) {
            int p = offset + k * width;
            int v;
            if (tag == PCM) {
                v = switch (width) {
                    case 1 -> ((in[p] & 0xFF) - 128) << 8;
                    case 2 -> src.getShort(p);
                    case 3 -> ((in[p + 2] << 16) | ((in[p + 1] & 0xFF) << 8) | (in[p] & 0xFF)) >> 8;
                    default -> src.getInt(p) >> 16;
                };
            } else if (tag == FLOAT) {
                double f = width == 4 ? src.getFloat(p) : src.getDouble(p);
                v = (int) Math.round(Math.max(-1.0, Math.min(1.0, Double.isNaN(f) ? 0 : f)) * 32767);
            } else if (tag == ALAW) {
                v = alaw(in[p]);
            } else {
                v = mulaw(in[p]);
            }
            out[2 * k] = (byte) v;
            out[2 * k + 1] = (byte) (v >> 8);
        }
        return out;
    }

    /** G.711 A-law to linear 16-bit. */
    private static int alaw(byte a) {
        int x = (a ^ 0x55) & 0xFF;
        int exponent = (x & 0x70) >> 4;
        int mantissa = x & 0x0F;
        int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (x & 0x80) != 0 ? magnitude : -magnitude;
    }

    /** G.711 mu-law to linear 16-bit. */
    private static int mulaw(byte u) {
        int x = ~u & 0xFF;
        int magnitude = (((x & 0x0F) << 3) + 0x84) << ((x & 0x70) >> 4);
        return (x & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84;
    }

    /** Walks MPEG layer III frame headers (after an ID3v2 tag): at least one frame, and the total duration. */
    private static UploadedAudio parseMp3(byte[] bytes) throws UnsupportedAudioException {
        long pos = 0;
        if (startsWith(bytes, "ID3") && bytes.length >= 10) {
            long size = ((bytes[6] & 0x7FL) << 21)
                    | ((bytes[7] & 0x7FL) << 14)
                    | ((bytes[8] & 0x7FL) << 7)
                    | (bytes[9] & 0x7FL);
            pos = 10 + size + ((bytes[5] & 0x10) != 0 ? 10 : 0);
        }
        int rate = 0;
        long samples = 0;
        int frames = 0;
        long scanned = 0;
        while (pos + 4 <= bytes.length) {
            int[] frame = mp3Frame(bytes, (int) pos);
            if (frame == null) {
                pos++;
                if (frames == 0 && ++scanned > 64 * 1024) {
                    break; // no frame in the first 64 KB after the tag: not MP3
                }
                continue;
            }
            if (rate == 0) {
                rate = frame[0];
            }
            samples += frame[2];
            frames++;
            pos += frame[1];
        }
        if (frames == 0) {
            throw new UnsupportedAudioException("the file looks like MP3 but holds no MPEG layer III frame", true);
        }
        return new UploadedAudio(bytes, "mp3", rate, samples * 1000 / rate);
    }

    /** {rate, length, samples} of a layer III frame header at {@code pos}, or null. */
    private static int[] mp3Frame(byte[] b, int pos) {
        int h = ((b[pos] & 0xFF) << 24)
                | ((b[pos + 1] & 0xFF) << 16)
                | ((b[pos + 2] & 0xFF) << 8)
                | (b[pos + 3] & 0xFF);
        int version = (h >>> 19) & 3;
        int layer = (h >>> 17) & 3;
        int bitrateIndex = (h >>> 12) & 15;
        int rateIndex = (h >>> 10) & 3;
        if ((h & 0xFFE00000) != 0xFFE00000
                || version == 1
                || layer != 1
                || bitrateIndex == 0
                || bitrateIndex == 15
                || rateIndex == 3) {
            return null;
        }
        int[][] rates = {{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}};
        int[] v1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
        int[] v2 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
        int rate = rates[version][rateIndex];
        int bitrate = (version == 3 ? v1 : v2)[bitrateIndex] * 1000;
        int samples = version == 3 ? 1152 : 576;
        int length = samples / 8 * bitrate / rate + ((h >>> 9) & 1);
        return new int[] {rate, length, samples};
    }

    private static boolean startsWith(byte[] bytes, String magic) {
        if (bytes.length < magic.length()) {
            return false;
        }
        return new String(bytes, 0, magic.length(), StandardCharsets.US_ASCII).equals(magic);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UploadedAudio u
                && Arrays.equals(audio, u.audio)
                && format.equals(u.format)
                && sampleRate == u.sampleRate;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(audio) * 31 + format.hashCode();
    }

    @Override
    public String toString() {
        return "UploadedAudio[" + format + ", " + sampleRate + " Hz, " + durationMs + " ms, " + audio.length
                + " bytes]";
    }
}
