package com.realtimevoice.result.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.Word;
import com.realtimevoice.result.transcript.Transcript.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionsTest {

    @Test
    void longFinalsWrapAt42CharactersAndSplitIntoCuesOfTwoLinesSharingTheirSpan() {
        String text = "the quick brown fox jumps over the lazy dog and then it runs far away into the deep dark"
                + " forest where nobody can find it again";
        List<Captions.Cue> cues = Captions.cues(List.of(new Segment(0, text, 10_000, 20_000)));

        assertThat(cues).allSatisfy(cue -> {
            assertThat(cue.lines()).hasSizeBetween(1, Captions.MAX_LINES);
            assertThat(cue.lines())
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(Captions.MAX_LINE));
            assertThat(cue.endMs()).isGreaterThan(cue.startMs());
        });
        assertThat(cues).hasSize(2);
        assertThat(cues.get(0).startMs()).isEqualTo(10_000);
        assertThat(cues.get(1).startMs()).isEqualTo(cues.get(0).endMs());
        assertThat(cues.get(1).endMs()).isEqualTo(20_000);
        assertThat(String.join(
                        " ", cues.stream().flatMap(c -> c.lines().stream()).toList()))
                .isEqualTo(text);
    }

    /** With word timings a cue runs from its first word's start to its last word's end: not a share by length. */
    @Test
    void wordTimingsPlaceEachCueOnItsOwnWords() {
        String text = "the quick brown fox jumps over the lazy dog and then it runs far away into the deep dark"
                + " forest where nobody can find it again";
        String[] tokens = text.split(" ");
        List<Word> words = new java.util.ArrayList<>();
        for (int i = 0; i < tokens.length; i++) { // slow speech first, then fast: length says nothing about time
            long at = i < 10 ? 10_000 + i * 800L : 18_000 + (i - 10) * 100L;
            words.add(new Word(tokens[i], at, at + (i < 10 ? 700 : 90), 0.9));
        }
        List<Captions.Cue> cues = Captions.cues(List.of(new Segment(0, text, 10_000, 20_000, words)));
        assertThat(cues).hasSize(2);
        assertThat(cues.get(0).lines())
                .containsExactly("the quick brown fox jumps over the lazy", "dog and then it runs far away into the");
        assertThat(cues.get(0).startMs()).isEqualTo(10_000);
        assertThat(cues.get(0).endMs()).isEqualTo(18_000 + 6 * 100 + 90); // "the", word 16
        assertThat(cues.get(1).startMs()).isEqualTo(18_000 + 7 * 100); // "deep", word 17
        assertThat(cues.get(1).endMs()).isEqualTo(words.get(words.size() - 1).endMs());
    }

    /** Tencent's text is punctuated and its words are not; Chinese has no spaces: the words still find their place. */
    @Test
    void punctuatedUnspacedTextFindsItsWords() {
        String text = "今天天气很好。".repeat(8); // 56 characters: two lines of one cue
        List<Word> words = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            words.add(new Word(new String[] {"今天", "天气", "很好"}[i % 3], 1000 + i * 300L, 1000 + i * 300L + 250, null));
        }
        Segment segment = new Segment(0, text, 1000, 8500, words);
        assertThat(Captions.wordSpans(segment)).isNotNull();
        assertThat(Captions.wordSpans(segment)[3]).containsExactly(7, 9); // after the first "。"
        List<Captions.Cue> cues = Captions.cues(List.of(segment));
        assertThat(cues).hasSize(1);
        assertThat(cues.get(0).endMs()).isEqualTo(1000 + 23 * 300 + 250);
        // words that do not spell the text are not trusted: the span is shared by length as before
        assertThat(Captions.wordSpans(
                        new Segment(0, "hello world", 0, 1000, List.of(new Word("goodbye", 0, 500, 0.5)))))
                .isNull();
    }

    @Test
    void unspacedTextIsCutByCodePointsNeverInsideASurrogatePair() {
        String chinese = "今天天气很好".repeat(10); // 60 characters, no spaces
        String emoji = "😀".repeat(50); // 50 code points, 100 chars
        assertThat(Captions.wrap(chinese)).extracting(String::length).containsExactly(42, 18);
        assertThat(Captions.wrap(emoji))
                .extracting(l -> l.codePointCount(0, l.length()))
                .containsExactly(42, 8);
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
