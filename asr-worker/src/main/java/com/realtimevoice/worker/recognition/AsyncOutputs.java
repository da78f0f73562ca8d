package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.PipelineEvent;
import java.util.List;

/** Where outputs produced after their input record was handled go (finals of segments a cloud engine recognised). */
@FunctionalInterface
interface AsyncOutputs {

    /** Publishes in order; returns at once. */
    void publish(List<PipelineEvent> events);
}
