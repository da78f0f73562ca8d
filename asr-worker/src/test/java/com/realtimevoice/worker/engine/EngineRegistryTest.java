package com.realtimevoice.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.worker.WorkerProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineRegistryTest {

    private final SpeechEngine vosk = engine("vosk");
    private final SpeechEngine tencent = engine("tencent");

    @Test
    void picksTheRequestedEngineOrTheDefault() {
        EngineRegistry registry = new EngineRegistry(List.of(vosk, tencent), properties("vosk"));
        assertThat(registry.get("tencent")).isSameAs(tencent);
        assertThat(registry.get(null)).isSameAs(vosk);
        assertThat(registry.get(" ")).isSameAs(vosk);
    }

    @Test
    void unknownEngineIsUnavailable() {
        EngineRegistry registry = new EngineRegistry(List.of(vosk), properties("vosk"));
        assertThatThrownBy(() -> registry.get("whisper"))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("whisper")
                .hasMessageContaining("vosk");
    }

    @Test
    void aDefaultThatNamesNoEngineFailsTheStart() {
        assertThatThrownBy(() -> new EngineRegistry(List.of(vosk), properties("tencent")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ASR_ENGINE")
                .hasMessageContaining("tencent");
    }

    private static WorkerProperties properties(String defaultEngine) {
        return new WorkerProperties(
                defaultEngine,
                1,
                Duration.ofMinutes(1),
                new WorkerProperties.Vosk("", Path.of("x")),
                new WorkerProperties.Topics(1, 1),
                new WorkerProperties.Engines(4, 1000));
    }

    private static SpeechEngine engine(String name) {
        return new SpeechEngine() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RecognitionStream open(StreamSpec spec) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
