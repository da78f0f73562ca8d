package com.realtimevoice.result.history;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Deletion;
import com.realtimevoice.result.transcript.TranscriptStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * DELETE of a session that is still recording ends it first: an end (reason {@code deleted}) goes onto the audio
 * topic behind the audio already sent, so whichever worker holds the session finalizes it and the speaker gets
 * {@code completed}, wherever they are connected; once the session is no longer recording it is deleted like any
 * other. If no worker ends it within TRANSCRIPT_DELETE_LIVE_WAIT, the caller gets 409 SESSION_LIVE and may retry.
 */
@Component
class LiveSessionDeletion {

    private static final Logger log = LoggerFactory.getLogger(LiveSessionDeletion.class);
    private static final long POLL_MS = 100;

    private final TranscriptStore store;
    private final KafkaTemplate<String, byte[]> template;
    private final Duration wait;
    private final MeterRegistry meters;

    LiveSessionDeletion(
            TranscriptStore store,
            KafkaTemplate<String, byte[]> template,
            ResultServiceProperties properties,
            MeterRegistry meters) {
        this.store = store;
        this.template = template;
        this.wait = properties.retention().liveDeleteWait();
        this.meters = meters;
    }

    Deletion delete(String sessionId, String userId) {
        Deletion deletion = store.delete(sessionId, userId);
        if (deletion != Deletion.LIVE) {
            return deletion;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            template.send(EventRecords.toRecord(
                            Topics.AUDIO, new SessionEnded(sessionId, -1, 0, "deleted", System.currentTimeMillis())))
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            while (deletion == Deletion.LIVE && System.nanoTime() < deadline) {
                Thread.sleep(POLL_MS);
                deletion = store.delete(sessionId, userId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn(
                    "could not end session {} for its deletion: {}",
                    sessionId,
                    String.valueOf(e.getCause() == null ? e : e.getCause()));
        }
        meters.counter(
                        "result.sessions.deleted.live",
                        "outcome",
                        deletion == Deletion.DELETED ? "deleted" : "still_live")
                .increment();
        return deletion;
    }
}
