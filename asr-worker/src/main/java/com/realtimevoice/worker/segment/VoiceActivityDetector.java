package com.realtimevoice.worker.segment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Cuts a session's 16 kHz mono audio into speech segments by energy, in 20 ms frames: a frame is speech when it is
 * louder than both an absolute floor and the tracked noise floor plus a margin. A segment opens at the first speech
 * frame (with some audio before it, so the first consonant is not clipped) and closes after a run of silence, or
 * when it reaches the maximum length. Everything is a function of the samples alone, counted from the start of the
 * session: fed the same audio again (a replay after a failover), it cuts the same segments with the same numbers,
 * so the finals they become overwrite rather than duplicate. Not thread-safe: one per session.
 */
public final class VoiceActivityDetector {

    public static final int SAMPLE_RATE = 16_000;
    static final int FRAME = SAMPLE_RATE / 50; // 20 ms
    private static final double NOISE_START_DB = -60;
    private static final double NOISE_RISE = 0.02;

    private final int silenceFrames;
    private final int maxFrames;
    private final int preRollFrames;
    private final int minSpeechFrames;
    private final double floorDb;
    private final double marginDb;

    private final short[] partial = new short[FRAME];
    private int partialLength;
    private long framesSeen;
    private double noiseDb = NOISE_START_DB;
    private final Deque<short[]> preRoll = new ArrayDeque<>();

    private int nextIndex;
    private Open open;

    /** What happened, in audio order. */
    public sealed interface Event permits Started, Audio, Ended, Dropped, Speech {}

    /** A segment opened; its audio follows in {@link Audio} events until {@link Ended}. */
    public record Started(int index, long startSample) implements Event {}

    /** Audio of the open segment (the first one includes the audio before the first speech frame). */
    public record Audio(int index, short[] samples) implements Event {}

    /** A segment closed: its audio, trimmed to the last speech plus a short tail. */
    public record Ended(Segment segment) implements Event {}

    /**
     * The open segment has enough speech to be one (it will not be {@link Dropped}): speech began at
     * {@code speechSample}, its first speech frame (after the pre-roll). Once per segment, a few frames after it opened.
     */
    public record Speech(int index, long speechSample) implements Event {

        public long atMs() {
            return speechSample * 1000 / SAMPLE_RATE;
        }
    }

    /** A segment closed with too little speech to be one (a click): it has no number, nothing comes of it. */
    public record Dropped(int index) implements Event {}

    /** @param pcm the segment's samples, [startSample, endSample) of the session's audio */
    public record Segment(int index, long startSample, long endSample, short[] pcm) {

        public long startMs() {
            return startSample * 1000 / SAMPLE_RATE;
        }

        public long endMs() {
            return endSample * 1000 / SAMPLE_RATE;
        }

        @Override
        public String toString() {
            return "Segment[" + index + ", " + startMs() + "-" + endMs() + " ms]";
        }
    }

    /**
     * @param silenceMs   silence that ends a segment
     * @param maxMs       longest segment; longer speech is cut there (cloud engines take at most 60 s)
     * @param preRollMs   audio kept before the first speech frame
     * @param floorDb     absolute level (dBFS, frame RMS) below which nothing is speech
     * @param marginDb    how far above the tracked noise floor speech must be
     */
    public VoiceActivityDetector(long silenceMs, long maxMs, long preRollMs, double floorDb, double marginDb) {
        this.silenceFrames = (int) Math.max(1, silenceMs / 20);
        this.maxFrames = (int) Math.max(10, maxMs / 20);
        this.preRollFrames = (int) Math.max(0, preRollMs / 20);
        this.minSpeechFrames = 3;
        this.floorDb = floorDb;
        this.marginDb = marginDb;
    }

    /** Feeds any number of samples; returns what they caused. */
    public List<Event> accept(short[] samples) {
        List<Event> events = new ArrayList<>();
        int pos = 0;
        while (pos < samples.length) {
            int n = Math.min(FRAME - partialLength, samples.length - pos);
            System.arraycopy(samples, pos, partial, partialLength, n);
            partialLength += n;
            pos += n;
            if (partialLength == FRAME) {
                frame(partial.clone(), events);
                partialLength = 0;
            }
        }
        return events;
    }

    /**
     * Closes the open segment now, as if its silence had run out ({@code flush}): at the last whole frame, so the
     * partial frame still waiting stays for the next segment and every later frame keeps its place in the audio.
     */
    public List<Event> cut() {
        List<Event> events = new ArrayList<>();
        if (open != null) {
            close(events);
        }
        return events;
    }

    /** End of the audio: closes the open segment, if any (with the last partial frame). */
    public List<Event> finish() {
        List<Event> events = new ArrayList<>();
        if (partialLength > 0 && open != null) {
            short[] last = Arrays.copyOf(partial, partialLength);
            open.add(last, false);
            events.add(new Audio(open.index, last));
        }
        partialLength = 0;
        if (open != null) {
            close(events);
        }
        return events;
    }

    private void frame(short[] frame, List<Event> events) {
        long frameStart = framesSeen * FRAME;
        framesSeen++;
        double db = levelDb(frame);
        boolean speech = db > Math.max(floorDb, noiseDb + marginDb);
        if (!speech) {
            noiseDb = db < noiseDb ? db : noiseDb + NOISE_RISE * (db - noiseDb);
        }
        if (open == null) {
            if (speech) {
                long start = frameStart - (long) preRoll.size() * FRAME;
                open = new Open(nextIndex++, start);
                open.firstSpeech = frameStart;
                events.add(new Started(open.index, start));
                short[] before = concat(preRoll);
                preRoll.clear();
                open.add(before, false);
                open.add(frame, true);
                events.add(new Audio(open.index, concat(List.of(before, frame))));
            } else if (preRollFrames > 0) {
                preRoll.addLast(frame);
                if (preRoll.size() > preRollFrames) {
                    preRoll.removeFirst();
                }
            }
            return;
        }
        open.add(frame, speech);
        if (speech && open.speechFrames == minSpeechFrames) {
            events.add(new Speech(open.index, open.firstSpeech)); // before the audio, so before the partials it brings
        }
        events.add(new Audio(open.index, frame));
        if (open.silentRun >= silenceFrames || open.frames >= maxFrames) {
            close(events);
        }
    }

    private void close(List<Event> events) {
        Open o = open;
        open = null;
        if (o.speechFrames < minSpeechFrames) {
            nextIndex--; // not a segment after all: the number goes to the next one
            events.add(new Dropped(o.index));
            return;
        }
        // Keep up to 300 ms of the silence after the last speech: recognisers like a little tail.
        long tail = Math.min((long) o.silentRun * FRAME, 15L * FRAME);
        long end = o.lastSpeechEnd + tail;
        int length = (int) Math.min(o.length, end - o.start);
        events.add(new Ended(new Segment(o.index, o.start, o.start + length, Arrays.copyOf(o.samples, length))));
    }

    private static double levelDb(short[] frame) {
        double sum = 0;
        for (short s : frame) {
            sum += (double) s * s;
        }
        double rms = Math.sqrt(sum / frame.length) / 32768.0;
        return 20 * Math.log10(Math.max(rms, 1e-5)); // digital silence: -100 dBFS
    }

    private static short[] concat(Iterable<short[]> parts) {
        int n = 0;
        for (short[] p : parts) {
            n += p.length;
        }
        short[] out = new short[n];
        int pos = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    private static final class Open {
        final int index;
        final long start;
        short[] samples = new short[SAMPLE_RATE];
        int length;
        int frames;
        int speechFrames;
        int silentRun;
        long lastSpeechEnd;
        long firstSpeech;

        Open(int index, long start) {
            this.index = index;
            this.start = start;
        }

        void add(short[] audio, boolean speech) {
            if (length + audio.length > samples.length) {
                samples = Arrays.copyOf(samples, Math.max(samples.length * 2, length + audio.length));
            }
            System.arraycopy(audio, 0, samples, length, audio.length);
            length += audio.length;
            if (audio.length > 0) {
                frames += Math.max(1, audio.length / FRAME);
            }
            if (speech) {
                speechFrames++;
                silentRun = 0;
                lastSpeechEnd = start + length;
            } else if (audio.length > 0) {
                silentRun++;
            }
        }
    }
}
