package com.realtimevoice.worker.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.segment.VoiceActivityDetector.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VoiceActivityDetectorTest {

    private static VoiceActivityDetector detector() {
        return new VoiceActivityDetector(600, 30_000, 300, -50, 12);
    }

    @Test
    void cutsTheThreeSentencesAtTheirPauses() {
        List<Segment> segments = segments(detector(), samples("sentences.wav"), 1600);
        segments.forEach(s -> System.out.println("VAD " + s));
        assertThat(segments).extracting(Segment::index).containsExactly(0, 1, 2);
        // sentences.wav: 0.4 s padding, "turn on the kitchen light", 0.8 + 1.2 + ... s of silence, and so on
        assertThat(segments.get(0).startMs()).isBetween(0L, 400L);
        for (int k = 1; k < segments.size(); k++) {
            assertThat(segments.get(k).startMs())
                    .as("segment %d starts after %d ends", k, k - 1)
                    .isGreaterThan(segments.get(k - 1).endMs());
        }
        assertThat(segments.get(2).endMs()).isLessThanOrEqualTo(13_800L);
        for (Segment s : segments) {
            assertThat(s.pcm().length).isEqualTo((int) (s.endSample() - s.startSample()));
        }
    }

    @Test
    void sameAudioInOtherPiecesGivesTheSameSegments() {
        short[] audio = samples("sentences.wav");
        List<Segment> a = segments(detector(), audio, 1600);
        for (int piece : new int[] {1, 333, 16_000, audio.length}) {
            List<Segment> b = segments(detector(), audio, piece);
            assertThat(b).hasSameSizeAs(a);
            for (int k = 0; k < a.size(); k++) {
                assertThat(b.get(k).startSample()).isEqualTo(a.get(k).startSample());
                assertThat(b.get(k).endSample()).isEqualTo(a.get(k).endSample());
                assertThat(b.get(k).pcm()).isEqualTo(a.get(k).pcm());
            }
        }
    }

    @Test
    void longSpeechIsCutAtTheMaximumLength() {
        short[] speech = samples("numbers.wav"); // ~5.8 s with short gaps between words
        List<Segment> segments = segments(new VoiceActivityDetector(2000, 1500, 300, -50, 12), speech, 1600);
        assertThat(segments.size()).isGreaterThanOrEqualTo(3);
        segments.forEach(s -> assertThat(s.endMs() - s.startMs()).isLessThanOrEqualTo(1500 + 300));
    }

    @Test
    void silenceAndClicksAreNotSegments() {
        short[] quiet = new short[16_000 * 3];
        quiet[8000] = 20_000; // a click: one loud sample
        assertThat(segments(detector(), quiet, 1600)).isEmpty();
    }

    /** speechEvents: one Speech per segment, at its first speech frame, never for a click. */
    @Test
    void speechIsAnnouncedOncePerSegmentAtItsFirstSpeechFrame() {
        VoiceActivityDetector vad = detector();
        List<VoiceActivityDetector.Event> events = new ArrayList<>(vad.accept(samples("sentences.wav")));
        events.addAll(vad.finish());
        List<VoiceActivityDetector.Speech> speech = events.stream()
                .filter(VoiceActivityDetector.Speech.class::isInstance)
                .map(VoiceActivityDetector.Speech.class::cast)
                .toList();
        List<Segment> segments = new ArrayList<>();
        collect(events, segments);
        assertThat(speech).extracting(VoiceActivityDetector.Speech::index).containsExactly(0, 1, 2);
        for (int k = 0; k < 3; k++) {
            // the segment opens with 300 ms of pre-roll before the first speech frame
            assertThat(speech.get(k).speechSample()).isEqualTo(segments.get(k).startSample() + 300 * 16);
        }
        short[] quiet = new short[16_000 * 3];
        quiet[8000] = 20_000;
        assertThat(detector().accept(quiet)).noneMatch(VoiceActivityDetector.Speech.class::isInstance);
    }

    /** flush: the open segment ends at once, at a frame boundary; the speech after it is the next segment. */
    @Test
    void aCutEndsTheOpenSegmentAndTheNextSpeechIsTheNextOne() {
        short[] audio = samples("sentences.wav");
        VoiceActivityDetector vad = detector();
        List<Segment> segments = new ArrayList<>();
        int cutAt = 16_000 + 333; // inside "turn on the kitchen light", not on a frame boundary
        collect(vad.accept(Arrays.copyOfRange(audio, 0, cutAt)), segments);
        collect(vad.cut(), segments);
        assertThat(segments).hasSize(1);
        assertThat(segments.get(0).endSample()).isLessThanOrEqualTo(cutAt / 320 * 320L); // the last whole 20 ms frame
        assertThat(vad.cut()).as("nothing open any more").isEmpty();
        collect(vad.accept(Arrays.copyOfRange(audio, cutAt, audio.length)), segments);
        collect(vad.finish(), segments);
        assertThat(segments).extracting(Segment::index).containsExactly(0, 1, 2, 3);
        assertThat(segments.get(1).startSample())
                .isGreaterThanOrEqualTo(segments.get(0).endSample());
    }

    static List<Segment> segments(VoiceActivityDetector vad, short[] audio, int piece) {
        List<Segment> out = new ArrayList<>();
        for (int off = 0; off < audio.length; off += piece) {
            collect(vad.accept(Arrays.copyOfRange(audio, off, Math.min(audio.length, off + piece))), out);
        }
        collect(vad.finish(), out);
        return out;
    }

    private static void collect(List<VoiceActivityDetector.Event> events, List<Segment> out) {
        for (VoiceActivityDetector.Event e : events) {
            if (e instanceof VoiceActivityDetector.Ended ended) {
                out.add(ended.segment());
            }
        }
    }

    static short[] samples(String fixture) {
        return AudioConverter.toShorts(SpeechFixtures.pcm(fixture));
    }
}
