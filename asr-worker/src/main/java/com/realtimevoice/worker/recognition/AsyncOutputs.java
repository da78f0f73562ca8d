package com.realtimevoice.worker.recognition;

import java.util.List;

import com.realtimevoice.events.PipelineEvent;

/** Where outputs produced after their input record was handled go (finals of segments a cloud engine recognised). */
@FunctionalInterface
interface AsyncOutputs {

    /** Publishes in order; returns at once. */
    void publish(List<PipelineEvent> events);
}
