package com.realtimevoice.result.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.realtimevoice.result.transcript.Transcript.Segment;

import org.junit.jupiter.api.Test;

class CaptionsTest {

    @Test
    void longFinalsWrapAt42CharactersAndSplitIntoCuesOfTwoLinesSharingTheirSpan() {
        String text = "the quick brown fox jumps over the lazy dog and then it runs far away into the deep dark"
                + " forest where nobody can find it again";
        List<Captions.Cue> cues = Captions.cues(List.of(new Segment(0, text, 10_000, 20_000)));

        assertThat(cues).allSatisfy(cue -> {
            assertThat(cue.lines()).hasSizeBetween(1, Captions.MAX_LINES);
            assertThat(cue.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(Captions.MAX_LINE));
            assertThat(cue.endMs()).isGreaterThan(cue.startMs());
        });
        assertThat(cues).hasSize(2);
        assertThat(cues.get(0).startMs()).isEqualTo(10_000);
        assertThat(cues.get(1).startMs()).isEqualTo(cues.get(0).endMs());
        assertThat(cues.get(1).endMs()).isEqualTo(20_000);
        assertThat(String.join(" ", cues.stream().flatMap(c -> c.lines().stream()).toList())).isEqualTo(text);
    }

    @Test
    void unspacedTextIsCutByCodePointsNeverInsideASurrogatePair() {
        String chinese = "今天天气很好".repeat(10); // 60 characters, no spaces
        String emoji = "😀".repeat(50); // 50 code points, 100 chars
        assertThat(Captions.wrap(chinese)).extracting(String::length).containsExactly(42, 18);
        assertThat(Captions.wrap(emoji)).extracting(l -> l.codePointCount(0, l.length())).containsExactly(42, 8);
    }

    @Test
    void cuesNeverOverlapNorLastZeroTimeAndEmptyFinalsAreLeftOut() {
        List<Captions.Cue> cues = Captions.cues(List.of(
                new Segment(0, "first", 1000, 3000),
                new Segment(1, "   ", 3000, 4000),
                new Segment(2, "overlapping start", 2500, 2500)));
        assertThat(cues).hasSize(2);
        assertThat(cues.get(1).startMs()).isEqualTo(3000);
        assertThat(cues.get(1).endMs()).isGreaterThan(3000);
    }

    @Test
    void timesPastAnHourUseHours() {
        assertThat(Captions.srt(List.of(new Segment(0, "late", 3_723_004, 3_724_000))))
                .isEqualTo("1\n01:02:03,004 --> 01:02:04,000\nlate\n\n");
        assertThat(Captions.vtt(List.of(new Segment(0, "a --> b", 0, 1000))))
                .isEqualTo("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na --&gt; b\n\n");
    }
}
