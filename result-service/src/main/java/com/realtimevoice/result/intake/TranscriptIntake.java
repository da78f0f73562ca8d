package com.realtimevoice.result.intake;

import java.util.Optional;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.SessionStatus;
import com.realtimevoice.result.transcript.Transcript;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.result.transcript.TranscriptStore.Completion;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the workers' results, one session's events in order (they share a key, hence a partition):
 * stores what must be stored, then delivers to the node holding the socket. Anything that fails is thrown,
 * so the error handler retries it or dead-letters it with the reason; nothing is logged and skipped.
 */
@Component
class TranscriptIntake {

    static final String LISTENER_ID = "result-intake";

    private static final Logger log = LoggerFactory.getLogger(TranscriptIntake.class);

    private final TranscriptStore store;
    private final RouteCache routes;
    private final Delivery delivery;
    private final ResultMetrics metrics;

    TranscriptIntake(TranscriptStore store, RouteCache routes, Delivery delivery, ResultMetrics metrics) {
        this.store = store;
        this.routes = routes;
        this.delivery = delivery;
        this.metrics = metrics;
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.TRANSCRIPTS) // group: RESULT_SERVICE_GROUP
    void onRecord(ConsumerRecord<String, byte[]> record) {
        handle(EventRecords.fromRecord(record));
    }

    void handle(PipelineEvent event) {
        // Java 17: no pattern matching for switch yet.
        if (event instanceof SessionStarted started) {
            onStarted(started);
        } else if (event instanceof SessionResumed resumed) {
            onResumed(resumed);
        } else if (event instanceof TranscriptPartial partial) {
            // Partials are unstable and replaced by the final: delivered, never stored.
            delivery.deliver(routeFor(partial), partial);
        } else if (event instanceof TranscriptFinal fin) {
            onFinal(fin);
        } else if (event instanceof SessionCompleted completed) {
            onCompleted(completed);
        } else if (event instanceof SessionFailed failed) {
            onFailed(failed);
        } else if (event instanceof SessionEnded ended) {
            // The worker answers an end with SessionCompleted once its finals are out; that is what we act on.
            log.debug("session {} ended ({}), waiting for its completion", ended.sessionId(), ended.reason());
        } else if (event instanceof AudioChunk) {
            throw new MalformedEventException("audio.chunk does not belong on " + Topics.TRANSCRIPTS);
        }
    }

    private void onStarted(SessionStarted started) {
        if (started.userId() == null || started.userId().isBlank()) {
            throw new MalformedEventException("session.started " + started.sessionId() + " has no userId");
        }
        Route route = routeOf(started);
        metrics.dbWrite("started", () -> {
            store.recordStarted(started, route);
            return null;
        });
        routes.put(started.sessionId(), route);
    }

    /**
     * A client reattached on another node (or the same): from here on its results go there, in order with
     * everything after the resume, and it first gets every stored final it has not seen, and completed if the
     * session has finished meanwhile. A session that cannot be resumed gets SESSION_NOT_FOUND on the new node.
     */
    private void onResumed(SessionResumed resumed) {
        Route route = routeOf(resumed.sessionId(), resumed.nodeId(), resumed.replyTopic());
        Optional<Transcript> stored = store.findTranscript(resumed.sessionId());
        if (stored.isEmpty() || !stored.get().userId().equals(resumed.userId())
                || stored.get().status() == SessionStatus.FAILED) {
            delivery.deliver(route, new SessionFailed(resumed.sessionId(), "SESSION_NOT_FOUND",
                    "the session cannot be resumed (unknown, ended or failed); its stored finals are at GET /api/sessions/"
                            + resumed.sessionId(), System.currentTimeMillis()));
            metrics.resumed("refused");
            return;
        }
        Transcript transcript = stored.get();
        metrics.dbWrite("resumed", () -> {
            store.moveRoute(resumed.sessionId(), route);
            return null;
        });
        routes.put(resumed.sessionId(), route);
        long now = System.currentTimeMillis();
        for (Transcript.Segment segment : transcript.segments()) {
            if (segment.index() > resumed.lastIndex()) {
                delivery.deliver(route, new TranscriptFinal(resumed.sessionId(), segment.index(), segment.text(),
                        segment.startMs(), segment.endMs(), null, 0, now));
            }
        }
        if (transcript.status() == SessionStatus.COMPLETED) {
            delivery.deliver(route, new SessionCompleted(resumed.sessionId(), transcript.segments().size(), transcript.text(), now));
            routes.remove(resumed.sessionId());
        }
        metrics.resumed(transcript.status() == SessionStatus.COMPLETED ? "completed" : "resumed");
    }

    private void onFinal(TranscriptFinal fin) {
        Route route = routeFor(fin);
        // Persist, then deliver: storeFinal returns after the commit, so the client never sees an unstored final.
        metrics.dbWrite("final", () -> {
            store.storeFinal(fin);
            return null;
        });
        metrics.finalStored();
        delivery.deliver(route, fin);
    }

    private void onCompleted(SessionCompleted fromWorker) {
        Route route = routeFor(fromWorker);
        Completion completion = metrics.dbWrite("completed", () -> store.complete(fromWorker));
        if (completion.again()) {
            // A replayed session (worker takeover): its client was told already; a resume re-sends from the rows.
            routes.remove(fromWorker.sessionId());
            return;
        }
        // The worker leaves text null; the whole text is built from what is stored, so it matches history.
        delivery.deliver(route, new SessionCompleted(fromWorker.sessionId(), completion.segments(),
                completion.text(), System.currentTimeMillis()));
        metrics.sessionCompleted();
        routes.remove(fromWorker.sessionId()); // done; a late replay reads the route back from the row
    }

    private void onFailed(SessionFailed failed) {
        Route route = routeFor(failed);
        metrics.dbWrite("failed", () -> {
            store.fail(failed);
            return null;
        });
        delivery.deliver(route, failed);
        metrics.sessionFailed();
        routes.remove(failed.sessionId());
    }

    /** The cache first, then the stored session; with neither there is nowhere to deliver: throw. */
    private Route routeFor(PipelineEvent event) {
        Route route = routes.get(event.sessionId());
        if (route == null) {
            route = store.findRoute(event.sessionId())
                    .orElseThrow(() -> new NoRouteException(event.sessionId(), EventType.of(event).token()));
            routes.put(event.sessionId(), route);
        }
        return route;
    }

    private static Route routeOf(SessionStarted started) {
        return routeOf(started.sessionId(), started.nodeId(), started.replyTopic());
    }

    private static Route routeOf(String sessionId, String nodeId, String replyTopic) {
        try {
            String ownTopic = Topics.delivery(nodeId); // validates the node id
            return new Route(nodeId, replyTopic == null || replyTopic.isBlank() ? ownTopic : replyTopic);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("session " + sessionId + ": " + e.getMessage(), e);
        }
    }
}
