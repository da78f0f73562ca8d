package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.RecognitionOptions;
import com.realtimevoice.protocol.ServerMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What started says is in effect, per engine (docs/engines.md): the default engine is ASR_ENGINE's. */
class EffectiveOptionsTest {

    private static ClientMessage.Start start(String engine, boolean words, RecognitionOptions options) {
        return new ClientMessage.Start(null, "pcm", 16000, null, engine, true, words, null, false, options);
    }

    @Test
    void voskNeverPunctuatesAndConvertsNumbersAndProfanityAsAsked() {
        EffectiveOptions vosk = new EffectiveOptions("vosk");
        RecognitionOptions asked = new RecognitionOptions(List.of("Stella"), true, "digits", "remove");
        assertThat(vosk.of(start(null, true, asked)))
                .isEqualTo(new ServerMessage.Options(true, List.of("Stella"), false, "digits", "remove"));
        assertThat(vosk.of(start("vosk", false, new RecognitionOptions(List.of(), null, null, "mask"))))
                .isEqualTo(new ServerMessage.Options(false, List.of(), false, "words", "mask"));
    }

    @Test
    void tencentDoesWhatIsAskedWithItsOwnDefaults() {
        EffectiveOptions defaultTencent = new EffectiveOptions("tencent");
        assertThat(defaultTencent.of(start(null, true, RecognitionOptions.NONE)))
                .isEqualTo(new ServerMessage.Options(true, List.of(), true, "digits", "keep"));
        assertThat(new EffectiveOptions("vosk")
                        .of(start("Tencent", false, new RecognitionOptions(List.of("腾讯云"), false, "words", "mask"))))
                .isEqualTo(new ServerMessage.Options(false, List.of("腾讯云"), false, "words", "mask"));
    }

    @Test
    void aStartWithoutOptionsGetsTodaysStarted() {
        assertThat(new EffectiveOptions("vosk").of(start(null, false, RecognitionOptions.NONE)))
                .isNull();
    }
}
