package com.realtimevoice.worker.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.segment.VoiceActivityDetector.Segment;

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
            assertThat(segments.get(k).startMs()).as("segment %d starts after %d ends", k, k - 1)
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
