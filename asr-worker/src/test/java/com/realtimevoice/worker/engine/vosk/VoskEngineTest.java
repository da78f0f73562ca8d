package com.realtimevoice.worker.engine.vosk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.events.Word;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import com.realtimevoice.worker.engine.RecognitionResult.Partial;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.StreamSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real bundled English model on the committed espeak fixtures, fed as a client would: 100 ms at a time. */
class VoskEngineTest {

    /** Shared by the module's tests so the model is unpacked once per build, not once per test. */
    static final Path MODEL_CACHE = Path.of("target", "vosk-model-cache");

    private static VoskEngine engine;

    @BeforeAll
    static void loadModel() {
        engine = new VoskEngine(new VoskModelProvider(null, MODEL_CACHE, VoskModelProvider.BUNDLED_RESOURCE));
    }

    /*
     * Word error rate bounds, measured on these fixtures with vosk-model-en 0.3.45 fed in 100 ms chunks: every
     * fixture comes out word for word (WER 0.00). The fixtures' voice, speed and padding were chosen for that
     * (scripts/make-speech-fixtures.sh): with espeak's defaults the small model mishears short phrases. Each
     * bound allows one word error in the file, so a regression in feeding, chunking or result parsing fails:
     * a dropped segment alone costs sentences.wav about 0.35.
     */
    @ParameterizedTest(name = "{0} WER <= {1}")
    @CsvSource({
        "time.wav,      0.25",
        "weather.wav,   0.2",
        "numbers.wav,   0.1",
        "sentences.wav, 0.1",
    })
    void transcribesFixtureWithinWordErrorRateBound(String file, double maxWer) {
        String reference = SpeechFixtures.transcripts().get(file);
        String hypothesis = transcript(recognise(file));

        double wer = WordErrorRate.of(reference, hypothesis);
        System.out.printf("WER %s = %.3f  ref='%s'  hyp='%s'%n", file, wer, reference, hypothesis);
        assertThat(wer).as("WER of '%s' against '%s'", hypothesis, reference).isLessThanOrEqualTo(maxWer);
    }

    @Test
    void corpusWordErrorRateStaysBelowMeasuredBound() {
        StringBuilder references = new StringBuilder();
        StringBuilder hypotheses = new StringBuilder();
        SpeechFixtures.transcripts().forEach((file, reference) -> {
            references.append(reference).append(' ');
            hypotheses.append(transcript(recognise(file))).append(' ');
        });
        double wer = WordErrorRate.of(references.toString(), hypotheses.toString());
        System.out.printf("WER corpus = %.3f%n", wer);
        assertThat(wer).isLessThanOrEqualTo(0.05);
    }

    @Test
    void pausesSplitSentencesIntoOrderedNonOverlappingFinals() {
        List<Final> finals = finals(recognise("sentences.wav"));
        long audioMs = SpeechFixtures.pcm("sentences.wav").length / 2 * 1000L / SpeechFixtures.SAMPLE_RATE;
        finals.forEach(f -> System.out.println("final " + f));

        assertThat(finals).hasSizeGreaterThanOrEqualTo(3);
        long previousEnd = -1;
        for (Final f : finals) {
            assertThat(f.text()).isNotBlank();
            assertThat(f.startMs()).as("start of '%s'", f.text()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(f.endMs())
                    .as("end of '%s'", f.text())
                    .isGreaterThan(f.startMs())
                    .isLessThanOrEqualTo(audioMs);
            previousEnd = f.endMs();
            // setWords(true): the words spell the final and span it exactly, in order, with Vosk's confidence
            assertThat(String.join(" ", f.words().stream().map(Word::word).toList()))
                    .isEqualTo(f.text());
            assertThat(f.words().get(0).startMs()).isEqualTo(f.startMs());
            assertThat(f.words().get(f.words().size() - 1).endMs()).isEqualTo(f.endMs());
            long wordStart = f.startMs();
            for (Word w : f.words()) {
                assertThat(w.startMs()).isGreaterThanOrEqualTo(wordStart);
                assertThat(w.endMs()).isGreaterThanOrEqualTo(w.startMs());
                assertThat(w.confidence()).isBetween(0.0, 1.0);
                wordStart = w.startMs();
            }
        }
    }

    @Test
    void reportsPartialsWhileASegmentIsOpen() {
        List<RecognitionResult> results = recognise("numbers.wav");
        assertThat(results)
                .filteredOn(r -> r instanceof Partial)
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.text()).isNotBlank());
    }

    @Test
    void silenceYieldsNoFinal() {
        try (RecognitionStream stream = engine.open(new StreamSpec("silence", SpeechFixtures.SAMPLE_RATE, null))) {
            List<RecognitionResult> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.addAll(stream.accept(new byte[SpeechFixtures.CHUNK_BYTES]));
            }
            results.addAll(stream.finish());
            assertThat(finals(results)).isEmpty();
        }
    }

    @Test
    void refusesAnUnusableSampleRate() {
        assertThatThrownBy(() -> engine.open(new StreamSpec("s", 1000, null)))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("sample rate");
    }

    @Test
    void closedStreamRefusesAudio() {
        RecognitionStream stream = engine.open(new StreamSpec("s", SpeechFixtures.SAMPLE_RATE, null));
        stream.close();
        stream.close(); // idempotent
        assertThatThrownBy(() -> stream.accept(new byte[320])).isInstanceOf(IllegalStateException.class);
    }

    /** Names, and words that sound like them, that the hotword test asks for: the first two are spoken in names.wav. */
    private static final List<String> HOTWORDS =
            List.of("Stella", "Marianne", "Dashwood", "Brandon", "Elinor", "Willoughby");

    private static final String NAMES_REFERENCE =
            "please call stella tomorrow ask marianne about the party this is crap";

    /*
     * Hotwords, measured (the grammar pass of HotwordPass): without hints the small model hears "please call tomorrow
     * ask marion about the power the this is crap" (WER 0.33, both names wrong); with them "please call Stella tomorrow
     * ask marion about the power the this is crap" (WER 0.25): Stella is put right; Marianne is not, as "marion" fits that audio better in the
     * second pass (the pass only lets a hotword win where it fits the sound better than the first pass's word). On the
     * four fixtures the hints change nothing (corpus WER 0.000 both ways), though six names compete with every word.
     */
    @Test
    void hotwordsPutNamesRightThatTheModelGetsWrongWithoutThem() {
        String plain = transcript(recognise("names.wav", List.of()));
        List<Final> hintedFinals = finals(recognise("names.wav", HOTWORDS));
        String hinted = hintedFinals.stream().map(Final::text).collect(Collectors.joining(" "));
        double werPlain = WordErrorRate.of(NAMES_REFERENCE, plain.toLowerCase());
        double werHinted = WordErrorRate.of(NAMES_REFERENCE, hinted.toLowerCase());
        System.out.printf(
                "hotwords names.wav: WER %.2f without ('%s'), %.2f with ('%s')%n", werPlain, plain, werHinted, hinted);
        assertThat(plain).doesNotContainIgnoringCase("stella");
        assertThat(hinted).contains("call Stella tomorrow"); // as the client spelt it, where it was said
        assertThat(werHinted).as("one word error fewer at least").isLessThanOrEqualTo(werPlain - 1.0 / 12 + 1e-9);
        // the spliced words keep their times in order, inside the final
        for (Final f : hintedFinals) {
            assertThat(String.join(" ", f.words().stream().map(Word::word).toList()))
                    .isEqualTo(f.text());
            for (int k = 1; k < f.words().size(); k++) {
                assertThat(f.words().get(k).startMs())
                        .isGreaterThanOrEqualTo(f.words().get(k - 1).startMs());
            }
        }
    }

    @Test
    void hotwordsDoNotHurtTheFixtures() {
        StringBuilder references = new StringBuilder();
        StringBuilder hinted = new StringBuilder();
        SpeechFixtures.transcripts().forEach((file, reference) -> {
            references.append(reference).append(' ');
            hinted.append(transcript(recognise(file, HOTWORDS))).append(' ');
        });
        double wer = WordErrorRate.of(references.toString(), hinted.toString().toLowerCase());
        System.out.printf("WER corpus with hotwords = %.3f%n", wer);
        assertThat(wer)
                .isLessThanOrEqualTo(0.05); // the bound without hints (corpusWordErrorRateStaysBelowMeasuredBound)
    }

    private static List<RecognitionResult> recognise(String file) {
        return recognise(file, List.of());
    }

    private static List<RecognitionResult> recognise(String file, List<String> hotwords) {
        List<RecognitionResult> results = new ArrayList<>();
        try (RecognitionStream stream =
                engine.open(new StreamSpec(file, SpeechFixtures.SAMPLE_RATE, "en-US", hotwords))) {
            for (byte[] chunk : SpeechFixtures.chunks(SpeechFixtures.pcm(file), SpeechFixtures.CHUNK_BYTES)) {
                results.addAll(stream.accept(chunk));
            }
            results.addAll(stream.finish());
        }
        return results;
    }

    private static String transcript(List<RecognitionResult> results) {
        return finals(results).stream().map(Final::text).collect(Collectors.joining(" "));
    }

    private static List<Final> finals(List<RecognitionResult> results) {
        return results.stream()
                .filter(Final.class::isInstance)
                .map(Final.class::cast)
                .toList();
    }
}
