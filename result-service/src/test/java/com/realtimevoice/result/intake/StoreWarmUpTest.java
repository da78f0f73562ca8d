package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RESULT_SERVICE_WARMUP out of range stops the start with the variable's name (what it writes: TranscriptStoreTest). */
class StoreWarmUpTest {

    @Test
    void refusesALengthOutsideZeroToTenMinutes() {
        assertThatThrownBy(() -> new StoreWarmUp(null, Duration.ofSeconds(-1)))
                .hasMessageContaining("RESULT_SERVICE_WARMUP")
                .hasMessageContaining("-1S");
        assertThatThrownBy(() -> new StoreWarmUp(null, Duration.ofMinutes(11)))
                .hasMessageContaining("RESULT_SERVICE_WARMUP");
    }
}
