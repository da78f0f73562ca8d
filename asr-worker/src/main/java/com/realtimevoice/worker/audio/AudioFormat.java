package com.realtimevoice.worker.audio;

import java.util.Locale;
import java.util.Set;

/**
 * How a session's audio is encoded on the audio topic, parsed from the {@code format} of {@code session.started}
 * and {@code rv-format} of each chunk: {@code pcm} (16-bit signed little-endian, interleaved), optionally with a
 * channel count as in {@code audio/L16}'s media type ({@code pcm;channels=2}), or {@code mp3} (MPEG-1/2/2.5 layer
 * III frames, cut anywhere; rate and channels come from the frame headers).
 *
 * @param sampleRate the declared rate; for MP3 only a hint, the frames say what it is
 */
public record AudioFormat(Codec codec, int sampleRate, int channels) {

    /** Rates the resampler has exact polyphase filters for (every rate browsers, WeChat and MP3 use). */
    public static final Set<Integer> RATES = Set.of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000);

    public static final int MAX_CHANNELS = 2;

    public enum Codec {
        PCM,
        MP3
    }

    /** @throws IllegalArgumentException with a message fit for the client when the format is not supported */
    public static AudioFormat parse(String format, int sampleRate) {
        String f = format == null ? "pcm" : format.strip().toLowerCase(Locale.ROOT);
        int channels = 1;
        int semicolon = f.indexOf(';');
        if (semicolon >= 0) {
            for (String param : f.substring(semicolon + 1).split(";")) {
                String p = param.strip();
                if (p.startsWith("channels=")) {
                    try {
                        channels = Integer.parseInt(p.substring("channels=".length()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad channel count in format '" + format + "'");
                    }
                } else if (!p.isEmpty()) {
                    throw new IllegalArgumentException("unknown parameter '" + p + "' in format '" + format + "'");
                }
            }
            f = f.substring(0, semicolon).strip();
        }
        Codec codec;
        if (f.equals("pcm")) {
            codec = Codec.PCM;
            if (!RATES.contains(sampleRate)) {
                throw new IllegalArgumentException(
                        "sample rate " + sampleRate + " Hz is not supported; use one of " + RATES);
            }
        } else if (f.equals("mp3")) {
            codec = Codec.MP3;
        } else {
            throw new IllegalArgumentException(
                    "format '" + format + "' is not supported; the worker takes pcm and mp3");
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("channels must be 1 or 2, got " + channels);
        }
        return new AudioFormat(codec, sampleRate, channels);
    }

    /** 16 kHz mono PCM needs no conversion at all: the pipeline's own format. */
    public boolean isPipelineNative() {
        return codec == Codec.PCM && channels == 1 && sampleRate == AudioConverter.PIPELINE_RATE;
    }
}
