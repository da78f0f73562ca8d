package com.realtimevoice.ingest.stream;

import java.util.Locale;
import java.util.Set;

/**
 * The audio encodings a stream may declare in {@code start}, and what follows from each. Ingest only checks and
 * labels: the bytes go to Kafka as the client sent them, and the worker decodes, downmixes and resamples (one
 * place for the signal processing, replayable from the topic, and MP3 can reach a cloud engine as it is).
 *
 * <p>On the wire (SessionStarted.format, rv-format) the channel count travels as a parameter of the format, as in
 * the {@code audio/L16} media type: {@code pcm} is mono, {@code pcm;channels=2} stereo; {@code mp3} says its own.
 */
final class StreamFormat {

    /** Rates the worker resamples exactly (browsers, WeChat's RecorderManager and MP3 use these). */
    static final Set<Integer> RATES = Set.of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000);
    /** MP3's bytes per second are far below PCM's; for pacing and buffering take 320 kbit/s, MP3's highest. */
    private static final int MP3_MAX_BYTES_PER_SECOND = 40_000;

    private StreamFormat() {}

    /** @return why the stream cannot be taken (UNSUPPORTED_FORMAT), or null if it can */
    static String unsupported(String descriptor, int sampleRate) {
        String codec = codec(descriptor);
        int channels = channels(descriptor);
        if (!codec.equals("pcm") && !codec.equals("mp3")) {
            return "format \"" + descriptor
                    + "\" is not supported; use \"pcm\" (16-bit signed little-endian) or \"mp3\"";
        }
        if (channels < 1 || channels > 2) {
            return "channels " + (channels < 0 ? "?" : String.valueOf(channels)) + " is not supported; use 1 or 2";
        }
        if (!RATES.contains(sampleRate)) {
            return "sampleRate " + sampleRate
                    + " is not supported; use one of 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000";
        }
        return null;
    }

    /** {@code pcm} or {@code mp3} (or whatever else was declared), without parameters. */
    static String codec(String descriptor) {
        int semicolon = descriptor.indexOf(';');
        return (semicolon < 0 ? descriptor : descriptor.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    /** The {@code channels} parameter, 1 if absent, -1 if unreadable or unknown parameters are present. */
    static int channels(String descriptor) {
        int semicolon = descriptor.indexOf(';');
        if (semicolon < 0) {
            return 1;
        }
        int channels = 1;
        for (String p : descriptor.substring(semicolon + 1).split(";")) {
            String param = p.strip();
            if (param.startsWith("channels=")) {
                try {
                    channels = Integer.parseInt(param.substring("channels=".length()));
                } catch (NumberFormatException e) {
                    return -1;
                }
            } else if (!param.isEmpty()) {
                return -1;
            }
        }
        return channels;
    }

    /** Bytes a binary frame's length must be a multiple of: one sample of every channel for PCM, any for MP3. */
    static int frameAlignment(String descriptor) {
        return codec(descriptor).equals("pcm") ? 2 * Math.max(1, channels(descriptor)) : 1;
    }

    /** Bytes per second of audio in this format (for pacing and the unacknowledged-audio bound). */
    static int bytesPerSecond(String descriptor, int sampleRate) {
        return codec(descriptor).equals("mp3")
                ? MP3_MAX_BYTES_PER_SECOND
                : sampleRate * 2 * Math.max(1, channels(descriptor));
    }
}
