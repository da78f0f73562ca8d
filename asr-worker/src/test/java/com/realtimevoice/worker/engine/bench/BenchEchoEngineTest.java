package com.realtimevoice.worker.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.StreamSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class BenchEchoEngineTest {

    private final ApplicationContextRunner contexts =
            new ApplicationContextRunner().withUserConfiguration(BenchEchoEngine.class);

    @Test
    void isNoBeanUnlessExplicitlyEnabled() {
        contexts.run(ctx -> assertThat(ctx).doesNotHaveBean(BenchEchoEngine.class));
        contexts.withPropertyValues("asr.bench.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(BenchEchoEngine.class));
        contexts.withPropertyValues("asr.bench.enabled=true")
                .run(ctx -> assertThat(ctx).hasSingleBean(BenchEchoEngine.class));
    }

    @Test
    void emitsAFinalPerNChunksWithTheChunkCountAndTheRemainderOnFinish() {
        RecognitionStream stream = new BenchEchoEngine(3).open(new StreamSpec("s", 16000, null));
        List<RecognitionResult> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.addAll(stream.accept(new byte[3200])); // 100 ms each
        }
        all.addAll(stream.finish());
        List<Final> finals = all.stream()
                .filter(Final.class::isInstance)
                .map(Final.class::cast)
                .toList();
        assertThat(finals)
                .containsExactly(
                        new Final("chunks 3", 0, 300),
                        new Final("chunks 3", 300, 600),
                        new Final("chunks 1", 600, 700));
        assertThat(all).filteredOn(RecognitionResult.Partial.class::isInstance).hasSize(3);
        stream.close();
    }
}
