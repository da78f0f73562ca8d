package com.realtimevoice.worker.recognition;

import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.segment.SegmentProperties;
import java.nio.file.Path;
import java.time.Duration;

/** The worker's settings as the recognition tests run it: the shipped defaults but for what a test names. */
final class WorkerSettings {

    private WorkerSettings() {}

    /** Topics of one partition, unreplicated; 4 engine threads with up to 1000 queued; no Vosk model path. */
    static WorkerProperties worker(String defaultEngine) {
        return new WorkerProperties(
                defaultEngine,
                1,
                Duration.ofMinutes(10),
                new WorkerProperties.Vosk("", Path.of("unused")),
                new WorkerProperties.Topics(1, 1),
                new WorkerProperties.Engines(4, 1000));
    }

    /** The shipped asr.worker.segments defaults (asr-worker.yml) with these partials and fallback. */
    static SegmentProperties segments(String partials, SegmentProperties.Fallback fallback) {
        return new SegmentProperties(
                Duration.ofMillis(600),
                Duration.ofSeconds(30),
                Duration.ofMillis(300),
                -50,
                12,
                partials,
                fallback,
                "vosk");
    }
}
