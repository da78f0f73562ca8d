package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes outputs that complete off the consumer thread (cloud finals, the {@code session.completed} after them)
 * on the transcripts topic. One producer and one key per session keep them in the order of the calls. The session's
 * start stays the commit limit of its partition until its completed (or failed) is published here, so a send that
 * fails, or a crash before it, is covered by the replay of the next owner.
 */
@Component
class TranscriptPublisher implements AsyncOutputs {

    private static final Logger log = LoggerFactory.getLogger(TranscriptPublisher.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final RecognitionMetrics metrics;
    private final CommitPositions positions;

    TranscriptPublisher(KafkaTemplate<String, byte[]> kafka, RecognitionMetrics metrics, CommitPositions positions) {
        this.kafka = kafka;
        this.metrics = metrics;
        this.positions = positions;
    }

    @Override
    public void publish(List<PipelineEvent> events) {
        for (PipelineEvent event : events) {
            kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, event)).whenComplete((result, failure) -> {
                if (failure != null) {
                    // The session stays open in CommitPositions, so a takeover replays it and the output comes again.
                    metrics.error("PUBLISH_FAILED");
                    log.error("could not publish {} to {}: {}", event, Topics.TRANSCRIPTS, failure.getMessage());
                } else if (event instanceof com.realtimevoice.events.SessionCompleted
                        || event instanceof com.realtimevoice.events.SessionFailed) {
                    positions.released(event.sessionId()); // its last output is out: no replay needed any more
                }
            });
        }
    }
}
