package com.realtimevoice.ingest.recognize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * An uploaded file reduced to 16-bit mono PCM at a known rate. WAV headers are walked chunk by chunk (any
 * order, any extra chunks); a header that claims more data than the file holds is trusted only as far as the file goes.
 */
record UploadedAudio(byte[] pcm, int sampleRate) {

    static final class UnsupportedAudioException extends Exception {
        final boolean badRequest;

        UnsupportedAudioException(String message, boolean badRequest) {
            super(message);
            this.badRequest = badRequest;
        }
    }

    long durationMs() {
        return pcm.length / 2 * 1000L / sampleRate;
    }

    static UploadedAudio parse(byte[] bytes, String filename, String contentType) throws UnsupportedAudioException {
        if (bytes.length == 0) {
            throw new UnsupportedAudioException("the 'audio' file is empty", true);
        }
        if (startsWith(bytes, "RIFF")) {
            return parseWav(bytes);
        }
        String name = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
        if (name.endsWith(".mp3") || startsWith(bytes, "ID3") || (bytes.length > 1 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xE0) == 0xE0)) {
            throw new UnsupportedAudioException("MP3 uploads are not supported yet; send 16 kHz mono 16-bit WAV or raw PCM", false);
        }
        if (name.endsWith(".wav")) {
            throw new UnsupportedAudioException("the file is named .wav but has no RIFF/WAVE header", true);
        }
        // Anything else is raw 16 kHz 16-bit little-endian mono PCM, as the streaming contract sends it.
        if (bytes.length % 2 != 0) {
            throw new UnsupportedAudioException("raw 16-bit PCM must have an even number of bytes, got " + bytes.length, true);
        }
        return new UploadedAudio(bytes, 16000);
    }

    private static UploadedAudio parseWav(byte[] bytes) throws UnsupportedAudioException {
        if (bytes.length < 12 || !new String(bytes, 8, 4, StandardCharsets.US_ASCII).equals("WAVE")) {
            throw new UnsupportedAudioException("RIFF file is not WAVE", true);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long pos = 12; // long: a chunk size near 4 GiB must not wrap the position around
        Integer channels = null;
        Integer rate = null;
        Integer bits = null;
        Integer formatTag = null;
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
                bits = b.getShort(body + 14) & 0xFFFF;
            } else if (id.equals("data")) {
                if (formatTag == null) {
                    throw new UnsupportedAudioException("WAV data chunk comes before its fmt chunk", true);
                }
                if ((formatTag != 1 && formatTag != 0xFFFE) || bits != 16 || channels != 1 || rate != 16000) {
                    throw new UnsupportedAudioException("WAV must be 16 kHz mono 16-bit PCM for now; this one is "
                            + rate + " Hz, " + channels + " channel(s), " + bits + "-bit, format " + formatTag, false);
                }
                long end = Math.min(bytes.length, body + size); // a header that lies about its length
                int length = (int) (end - body) & ~1;
                if (length == 0) {
                    throw new UnsupportedAudioException("WAV has no audio samples", true);
                }
                return new UploadedAudio(Arrays.copyOfRange(bytes, body, body + length), rate);
            }
            pos = body + size + (size & 1);
        }
        throw new UnsupportedAudioException("WAV has no data chunk", true);
    }

    private static boolean startsWith(byte[] bytes, String magic) {
        if (bytes.length < magic.length()) {
            return false;
        }
        return new String(bytes, 0, magic.length(), StandardCharsets.US_ASCII).equals(magic);
    }
}
