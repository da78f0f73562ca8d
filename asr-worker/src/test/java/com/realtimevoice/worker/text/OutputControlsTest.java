package com.realtimevoice.worker.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.RecognitionOptions;
import com.realtimevoice.events.Word;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputControlsTest {

    private static final OutputControls DIGITS =
            OutputControls.of(new RecognitionOptions(List.of(), null, "digits", null), true);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "my phone number is five five five one two three four | my phone number is 5551234",
                "twenty three apples                                  | 23 apples",
                "two thousand and five                                | 2005",
                "one hundred people                                   | 100 people",
                "nine hundred ninety nine                             | 999",
                "three million two hundred thousand                   | 3200000",
                "twenty twenty                                        | 20 20",
                "room four oh five                                    | room 405",
                "eleven                                               | 11",
                "oh no and then                                       | oh no and then",
                "ten and a half                                       | 10 and a half",
                "what time is it                                      | what time is it",
            })
    void englishNumberWordsBecomeDigits(String words, String expected) {
        assertThat(DIGITS.text(words)).isEqualTo(expected);
    }

    @Test
    void aNumberSpansTheTimesOfItsWords() {
        List<Word> words = new ArrayList<>();
        String[] spoken = {"call", "twenty", "three", "now"};
        for (int k = 0; k < spoken.length; k++) {
            words.add(new Word(spoken[k], k * 500L, k * 500L + 400, 0.5 + k * 0.1));
        }
        assertThat(DIGITS.words(words))
                .containsExactly(
                        new Word("call", 0, 400, 0.5),
                        new Word("23", 500, 1400, 0.6),
                        new Word("now", 1500, 1900, 0.8));
    }

    @Test
    void profanityIsMaskedOrRemovedFromTheShippedList() {
        OutputControls mask = OutputControls.of(new RecognitionOptions(List.of(), null, null, "mask"), true);
        OutputControls remove = OutputControls.of(new RecognitionOptions(List.of(), null, null, "remove"), true);
        assertThat(mask.text("what the fuck is this shit")).isEqualTo("what the f*** is this s***");
        assertThat(mask.text("Shit, it is late.")).isEqualTo("S***, it is late.");
        assertThat(remove.text("what the fuck is this shit")).isEqualTo("what the is this");
        assertThat(mask.text("scrap the shitake")).as("whole words only").isEqualTo("scrap the shitake");
        List<Word> words = List.of(new Word("oh", 0, 100, 1.0), new Word("damn", 100, 300, 0.9));
        assertThat(mask.words(words)).containsExactly(new Word("oh", 0, 100, 1.0), new Word("d***", 100, 300, 0.9));
        assertThat(remove.words(words)).containsExactly(new Word("oh", 0, 100, 1.0));
    }

    @Test
    void unaskedControlsChangeNothing() {
        OutputControls none = OutputControls.of(RecognitionOptions.NONE, true);
        assertThat(none).isSameAs(OutputControls.NONE);
        assertThat(none.text("five damn shits")).isEqualTo("five damn shits");
        // an engine that converts numbers itself (Tencent) is not converted again
        assertThat(OutputControls.of(new RecognitionOptions(List.of(), null, "digits", "keep"), false))
                .isSameAs(OutputControls.NONE);
    }
}
