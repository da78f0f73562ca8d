package com.realtimevoice.worker.audio;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;

/**
 * Decodes an MP3 stream that arrives in pieces cut anywhere (WeChat's RecorderManager hands out {@code frameSize}
 * KB at a time, not whole frames): finds frame boundaries itself, skips ID3v2 tags and junk, and gives JLayer one
 * complete frame at a time, so the decoder never waits for bytes that have not arrived. The bit reservoir and the
 * synthesis filter carry over from frame to frame as in a file. Output: 16-bit mono PCM (stereo averaged) at the
 * stream's own rate. It also keeps the recent frames as they came, so a cloud engine that takes MP3 can be sent the
 * original bytes of a segment instead of re-encoded audio. Not thread-safe: one per session.
 */
public final class Mp3Decoder {

    /** Frames kept for pass-through: a little over the longest segment a cloud engine takes (60 s at 38 fps). */
    private static final int FRAMES_KEPT = 2600;

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final FrameFeed feed = new FrameFeed();
    private final Decoder decoder = new Decoder();
    private final Deque<Frame> recent = new ArrayDeque<>();
    private Bitstream bitstream;
    private int sampleRate;
    private long samplesOut;
    private long bytesSkipped;
    private int id3Remaining;

    /** One MP3 frame as received: where its audio starts in the decoded output, and its bytes. */
    public record Frame(long firstSample, int samples, int sampleRate, byte[] bytes) {}

    /** Feeds bytes as they came; returns the PCM of every frame completed by them (possibly none). */
    public short[] decode(byte[] chunk) {
        pending.write(chunk, 0, chunk.length);
        return decodeAvailable(false);
    }

    /** End of stream: decodes a last frame that had no successor to confirm it. */
    public short[] finish() {
        return decodeAvailable(true);
    }

    /** Rate of the decoded audio, 0 until the first frame. */
    public int sampleRate() {
        return sampleRate;
    }

    /** Bytes that were not MP3 frames (tags, junk between frames). */
    public long bytesSkipped() {
        return bytesSkipped;
    }

    /** The received frames covering decoded samples [from, to) of this stream, plus two before for the bit reservoir. */
    public List<Frame> frames(long fromSample, long toSample) {
        List<Frame> all = new ArrayList<>(recent);
        int first = -1;
        int last = -1;
        for (int k = 0; k < all.size(); k++) {
            Frame f = all.get(k);
            if (f.firstSample() + f.samples() > fromSample && f.firstSample() < toSample) {
                if (first < 0) {
                    first = k;
                }
                last = k;
            }
        }
        if (first < 0) {
            return List.of();
        }
        return all.subList(Math.max(0, first - 2), last + 1);
    }

    private short[] decodeAvailable(boolean last) {
        byte[] buf = pending.toByteArray();
        int pos = 0;
        ShortSink out = new ShortSink();
        while (true) {
            if (id3Remaining > 0) {
                int skip = Math.min(id3Remaining, buf.length - pos);
                pos += skip;
                id3Remaining -= skip;
                bytesSkipped += skip;
                if (id3Remaining > 0) {
                    break;
                }
            }
            if (buf.length - pos >= 10 && buf[pos] == 'I' && buf[pos + 1] == 'D' && buf[pos + 2] == '3') {
                // ID3v2: 10-byte header, syncsafe size, optional 10-byte footer
                int size = ((buf[pos + 6] & 0x7F) << 21)
                        | ((buf[pos + 7] & 0x7F) << 14)
                        | ((buf[pos + 8] & 0x7F) << 7)
                        | (buf[pos + 9] & 0x7F);
                id3Remaining = 10 + size + ((buf[pos + 5] & 0x10) != 0 ? 10 : 0);
                continue;
            }
            if (buf.length - pos < 4) {
                break;
            }
            FrameHeader h = FrameHeader.parse(buf, pos);
            if (h == null) {
                pos++; // not a frame start: junk (or a tag we do not know); resynchronise
                bytesSkipped++;
                continue;
            }
            int end = pos + h.length();
            boolean confirmed = end + 4 <= buf.length && FrameHeader.parse(buf, end) != null;
            boolean lastOne = last && end <= buf.length;
            if (!confirmed && !lastOne) {
                if (end + 4 <= buf.length) {
                    pos++; // a false sync inside junk: the next frame is not where this header says
                    bytesSkipped++;
                    continue;
                }
                break; // wait for the rest of the frame (and the next header to confirm it)
            }
            byte[] frame = Arrays.copyOfRange(buf, pos, end);
            decodeFrame(frame, out);
            pos = end;
        }
        pending.reset();
        pending.write(buf, pos, buf.length - pos);
        return out.toArray();
    }

    private void decodeFrame(byte[] frame, ShortSink out) {
        // JLayer peeks 4 bytes past each frame for the next sync word; finding none ("end of stream") is fine.
        feed.add(frame);
        try {
            if (bitstream == null) {
                bitstream = new Bitstream(feed);
            }
            Header header = bitstream.readFrame();
            if (header == null) {
                return;
            }
            SampleBuffer decoded = (SampleBuffer) decoder.decodeFrame(header, bitstream);
            bitstream.closeFrame();
            sampleRate = decoded.getSampleFrequency();
            short[] pcm = decoded.getBuffer();
            int channels = decoded.getChannelCount();
            int frames = decoded.getBufferLength() / channels;
            recent.addLast(new Frame(samplesOut, frames, sampleRate, frame));
            while (recent.size() > FRAMES_KEPT) {
                recent.removeFirst();
            }
            samplesOut += frames;
            for (int k = 0; k < frames; k++) {
                if (channels == 1) {
                    out.add(pcm[k]);
                } else {
                    out.add((short) ((pcm[2 * k] + pcm[2 * k + 1]) / 2));
                }
            }
        } catch (BitstreamException | DecoderException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot decode MP3 frame at sample " + samplesOut + ": " + e.getMessage(), e);
        }
    }

    /** The parts of an MPEG audio layer III frame header needed to find the next frame. */
    record FrameHeader(int version, int sampleRate, int bitrate, boolean padding, int channels) {

        private static final int[][] RATES = {
            {11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}
        };
        private static final int[] BITRATES_V1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
        private static final int[] BITRATES_V2 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};

        /** @return null unless a valid layer III header starts at {@code pos} (free format is not supported) */
        static FrameHeader parse(byte[] b, int pos) {
            if (pos + 4 > b.length) {
                return null;
            }
            int h = ((b[pos] & 0xFF) << 24)
                    | ((b[pos + 1] & 0xFF) << 16)
                    | ((b[pos + 2] & 0xFF) << 8)
                    | (b[pos + 3] & 0xFF);
            if ((h & 0xFFE00000) != 0xFFE00000) {
                return null;
            }
            int version = (h >>> 19) & 3; // 0: 2.5, 2: 2, 3: 1
            int layer = (h >>> 17) & 3; // 1: layer III
            int bitrateIndex = (h >>> 12) & 15;
            int rateIndex = (h >>> 10) & 3;
            if (version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
                return null;
            }
            int rate = RATES[version][rateIndex];
            int bitrate = (version == 3 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] * 1000;
            boolean padding = ((h >>> 9) & 1) == 1;
            int channels = ((h >>> 6) & 3) == 3 ? 1 : 2;
            return new FrameHeader(version, rate, bitrate, padding, channels);
        }

        int samples() {
            return version == 3 ? 1152 : 576;
        }

        int length() {
            return samples() / 8 * bitrate / sampleRate + (padding ? 1 : 0);
        }
    }

    /** What JLayer reads from: exactly the frames handed to it, then "end of stream" until more come. */
    private static final class FrameFeed extends InputStream {
        private final Deque<byte[]> frames = new ArrayDeque<>();
        private int offset;

        void add(byte[] frame) {
            frames.addLast(frame);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (frames.isEmpty()) {
                return -1;
            }
            byte[] head = frames.peekFirst();
            int n = Math.min(len, head.length - offset);
            System.arraycopy(head, offset, dst, off, n);
            offset += n;
            if (offset == head.length) {
                frames.removeFirst();
                offset = 0;
            }
            return n;
        }

        @Override
        public int available() {
            int n = 0;
            for (byte[] f : frames) {
                n += f.length;
            }
            return n - offset;
        }
    }

    private static final class ShortSink {
        private short[] data = new short[4096];
        private int size;

        void add(short s) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = s;
        }

        short[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
