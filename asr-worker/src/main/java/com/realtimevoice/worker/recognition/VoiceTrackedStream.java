package com.realtimevoice.worker.recognition;

import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import com.realtimevoice.worker.engine.RecognitionResult.Partial;
import com.realtimevoice.worker.engine.RecognitionResult.SpeechOnset;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.segment.VoiceActivityDetector;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A streaming engine's stream with the worker's voice activity detector run alongside it, for sessions that ask for
 * {@code speechEvents} or {@code endpointingMs} (the embedded Vosk offers no endpointer settings: its Java API and
 * native library, 0.3.45, have none).
 *
 * <p>Speech events: each detected segment's onset becomes a {@link SpeechOnset}, in audio order with the engine's
 * results. Endpointing: the detector (cut after the session's silence) decides where an utterance ends. When it
 * closes a segment the engine is flushed there, so a short {@code endpointingMs} ends utterances sooner than the
 * engine would; finals the engine makes on its own inside an open segment (its own endpointing, at about half a
 * second of silence) are held and joined into one final when the segment closes, so a long {@code endpointingMs}
 * keeps a pause inside one final. Every engine time stays counted from the start of the session: all the audio
 * goes to the engine, silence included.
 *
 * <p>Not thread-safe, like the stream it wraps.
 */
final class VoiceTrackedStream implements RecognitionStream {

    private static final int FRAME = VoiceActivityDetector.SAMPLE_RATE / 50; // the detector's 20 ms

    private final RecognitionStream engine;
    private final VoiceActivityDetector vad;
    private final boolean endpointing;
    private final boolean speechEvents;

    /** Inside a segment of the detector (endpointing: the engine's finals are held until it closes). */
    private boolean inSegment;

    private final List<Final> held = new ArrayList<>();
    /** Audio given to the detector but not yet to the engine: fed at each event, so results keep audio order. */
    private final ByteArrayOutputStream unfed = new ByteArrayOutputStream();
    /** Audio went to the engine since it was last flushed: flushing it twice would ask for the same final twice. */
    private boolean engineHasAudio;

    /**
     * @param endpointing  the detector ends utterances (it was built with the session's {@code endpointingMs})
     * @param speechEvents report each segment's onset
     */
    VoiceTrackedStream(RecognitionStream engine, VoiceActivityDetector vad, boolean endpointing, boolean speechEvents) {
        this.engine = engine;
        this.vad = vad;
        this.endpointing = endpointing;
        this.speechEvents = speechEvents;
    }

    @Override
    public List<RecognitionResult> accept(byte[] pcm16le) {
        List<RecognitionResult> out = new ArrayList<>();
        short[] samples = AudioConverter.toShorts(pcm16le);
        // One detector frame at a time, so an utterance is cut at the frame where the detector closed it.
        for (int pos = 0; pos < samples.length; pos += FRAME) {
            int end = Math.min(samples.length, pos + FRAME);
            unfed.write(pcm16le, pos * 2, (end - pos) * 2);
            events(vad.accept(Arrays.copyOfRange(samples, pos, end)), out);
        }
        feed(out);
        return out;
    }

    /** The client's flush: the detector's segment ends here, and so does the engine's utterance. */
    @Override
    public List<RecognitionResult> flush() {
        return endUtterance(vad.cut(), engine::flush);
    }

    @Override
    public List<RecognitionResult> finish() {
        return endUtterance(vad.finish(), engine::finish);
    }

    private List<RecognitionResult> endUtterance(
            List<VoiceActivityDetector.Event> vadEvents,
            java.util.function.Supplier<List<RecognitionResult>> engineEnd) {
        List<RecognitionResult> out = new ArrayList<>();
        feed(out);
        events(vadEvents, out);
        endEngine(engineEnd, out);
        release(out);
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }

    private void events(List<VoiceActivityDetector.Event> events, List<RecognitionResult> out) {
        for (VoiceActivityDetector.Event event : events) {
            if (event instanceof VoiceActivityDetector.Started) {
                feed(out);
                inSegment = true;
            } else if (event instanceof VoiceActivityDetector.Speech s && speechEvents) {
                out.add(new SpeechOnset(s.atMs()));
            } else if (event instanceof VoiceActivityDetector.Ended || event instanceof VoiceActivityDetector.Dropped) {
                feed(out);
                if (endpointing) {
                    endEngine(engine::flush, out);
                }
                inSegment = false;
                release(out);
            }
        }
    }

    private void feed(List<RecognitionResult> out) {
        if (unfed.size() > 0) {
            byte[] pcm = unfed.toByteArray();
            unfed.reset();
            engineHasAudio = true;
            take(engine.accept(pcm), out);
        }
    }

    private void endEngine(
            java.util.function.Supplier<List<RecognitionResult>> engineEnd, List<RecognitionResult> out) {
        if (engineHasAudio) {
            engineHasAudio = false;
            take(engineEnd.get(), out);
        }
    }

    /** The engine's results: with endpointing, finals inside a segment wait for it to close, partials show them too. */
    private void take(List<RecognitionResult> results, List<RecognitionResult> out) {
        for (RecognitionResult r : results) {
            if (!endpointing) {
                out.add(r);
            } else if (r instanceof Final f) {
                if (!f.text().isBlank()) {
                    held.add(f);
                }
                if (!inSegment) {
                    release(out);
                }
            } else if (r instanceof Partial p && !held.isEmpty()) {
                out.add(new Partial((heldText() + " " + p.text()).strip()));
            } else {
                out.add(r);
            }
        }
    }

    /** The held finals as one. */
    private void release(List<RecognitionResult> out) {
        if (!held.isEmpty()) {
            out.add(new Final(
                    heldText(),
                    held.get(0).startMs(),
                    held.get(held.size() - 1).endMs(),
                    held.stream().flatMap(f -> f.words().stream()).toList()));
            held.clear();
        }
    }

    private String heldText() {
        return String.join(" ", held.stream().map(Final::text).toList()).strip();
    }
}
