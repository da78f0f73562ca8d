package com.realtimevoice.worker.recognition;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;

/**
 * Publishes outputs that complete off the consumer thread (cloud finals, the {@code session.completed} after them)
 * on the transcripts topic. One producer and one key per session keep them in the order of the calls. Their input
 * records' offsets are already committed by then: a send that fails is logged and counted, and the final is lost
 * unless the session is replayed (the known gap the reliability work closes, see docs/engines.md).
 */
@Component
class TranscriptPublisher implements AsyncOutputs {

    private static final Logger log = LoggerFactory.getLogger(TranscriptPublisher.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final RecognitionMetrics metrics;

    TranscriptPublisher(KafkaTemplate<String, byte[]> kafka, RecognitionMetrics metrics) {
        this.kafka = kafka;
        this.metrics = metrics;
    }

    @Override
    public void publish(List<PipelineEvent> events) {
        for (PipelineEvent event : events) {
            kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, event)).whenComplete((result, failure) -> {
                if (failure != null) {
                    metrics.error("PUBLISH_FAILED");
                    log.error("could not publish {} to {}: {}", event, Topics.TRANSCRIPTS, failure.getMessage());
                }
            });
        }
    }
}
