package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import com.realtimevoice.worker.segment.SegmentProperties;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * The worker's warm-up on the real Vosk engine and the bundled speech: what it runs, and its health while it runs.
 * That the audio listener starts only after it is {@code AudioListenerIntegrationTest}'s.
 */
class WorkerWarmUpTest {

    private static final WorkerProperties WORKER = WorkerSettings.worker("vosk");
    private static final SegmentProperties SEGMENTS = WorkerSettings.segments("vosk", SegmentProperties.Fallback.LOCAL);

    private static WorkerWarmUp warmUp(Duration length) {
        return new WorkerWarmUp(
                new EngineRegistry(List.of(LocalVosk.engine()), List.of(), WORKER, SEGMENTS),
                WORKER,
                SEGMENTS,
                new KafkaListenerEndpointRegistry(), // no listener here: nothing to start after it
                length);
    }

    @Test
    void recognisesBundledSpeechWhileItsHealthSaysOutOfService() {
        WorkerWarmUp warmUp = warmUp(Duration.ofSeconds(2));
        assertThat(warmUp.health().getStatus())
                .as("not ready from the start, before the warm-up begins")
                .isEqualTo(Status.OUT_OF_SERVICE);

        warmUp.onReady();

        await().atMost(Duration.ofSeconds(60)).until(() -> warmUp.outcome() != null);
        assertThat(warmUp.health().getStatus()).isEqualTo(Status.UP);
        WorkerWarmUp.Outcome o = warmUp.outcome();
        System.out.println("warm-up outcome: " + o);
        assertThat(o.engine()).isEqualTo("vosk");
        assertThat(o.failed()).isZero();
        assertThat(o.sessions())
                .as("two loops for 2 s of 6 s speech each, faster than real time")
                .isGreaterThan(1);
        // each session of "what time is it" + "the weather is nice today" ends with at least one final
        assertThat(o.finals()).isGreaterThanOrEqualTo(o.sessions());
        assertThat(o.millis()).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void zeroIsNoWarmUp() {
        WorkerWarmUp warmUp = warmUp(Duration.ZERO);
        assertThat(warmUp.health().getStatus()).isEqualTo(Status.UP);
        warmUp.onReady();
        assertThat(warmUp.outcome()).isNull();
        assertThat(warmUp.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void refusesALengthOutsideZeroToTenMinutes() {
        assertThatThrownBy(() -> warmUp(Duration.ofSeconds(-1)))
                .hasMessageContaining("ASR_WORKER_WARMUP")
                .hasMessageContaining("-1S");
        assertThatThrownBy(() -> warmUp(Duration.ofMinutes(11))).hasMessageContaining("ASR_WORKER_WARMUP");
    }
}
