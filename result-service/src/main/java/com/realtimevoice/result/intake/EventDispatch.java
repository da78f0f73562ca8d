package com.realtimevoice.result.intake;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchJoined;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.TranscriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each decoded event of a poll to its step, keeping each session's order: starts, finals, completions and
 * partials join the pending group ({@link PendingGroup}, written by {@link GroupWriter}); a resume, a join or a
 * failure is handled at once, after what its session has waiting is written. A session's start joins only before its
 * other events, its completion is its last event in the group: any other case first writes the group. Events of
 * other sessions do not. A group holds at most {@code result-service.batch.max-finals} finals.
 */
final class EventDispatch {

    private static final Logger log = LoggerFactory.getLogger(EventDispatch.class);

    private final GroupWriter writer;
    private final SessionRoutes routes;
    private final Resumption resumption;
    private final WatcherDelivery watchers;
    private final TranscriptStore store;
    private final ResultMetrics metrics;
    private final int maxFinals;

    EventDispatch(
            GroupWriter writer,
            SessionRoutes routes,
            Resumption resumption,
            WatcherDelivery watchers,
            TranscriptStore store,
            ResultMetrics metrics,
            int maxFinals) {
        this.writer = writer;
        this.routes = routes;
        this.resumption = resumption;
        this.watchers = watchers;
        this.store = store;
        this.metrics = metrics;
        this.maxFinals = maxFinals;
    }

    /** Handles the poll's current record, {@code event}; what fails is thrown, for the listener to classify. */
    void handle(Poll poll, PipelineEvent event) {
        String sessionId = event.sessionId();
        PendingGroup group = poll.group();
        int index = poll.current();
        // Java 17: no pattern matching for switch yet.
        if (event instanceof TranscriptFinal fin) {
            writeIfCompleting(poll, sessionId);
            group.add(index, fin, routes.of(fin));
            if (group.finalAdded() >= maxFinals) {
                writer.write(poll);
            }
        } else if (event instanceof TranscriptPartial || event instanceof SpeechStarted) {
            // Partials are unstable and replaced by the final, speech events are signals: delivered, never
            // stored; in order with the finals.
            writeIfCompleting(poll, sessionId);
            group.add(index, event, routes.of(event));
        } else if (event instanceof SessionStarted started) {
            if (started.userId() == null || started.userId().isBlank()) {
                throw new MalformedEventException("session.started " + sessionId + " has no userId");
            }
            Route route = SessionRoutes.declared(started);
            if (group.has(sessionId)) {
                writer.write(poll); // a replayed session: what came before this start is written first
            }
            group.add(index, started, route);
            routes.remember(sessionId, route); // its finals in this group are delivered there
            watchers.sessionStarted(sessionId);
        } else if (event instanceof SessionCompleted completed) {
            writeIfCompleting(poll, sessionId);
            group.add(index, completed, routes.of(completed)); // after its finals, in the same transaction
            group.completes(sessionId);
        } else if (event instanceof SessionEnded ended) {
            // The worker answers an end with SessionCompleted once its finals are out; that is what we act on.
            log.debug("session {} ended ({}), waiting for its completion", sessionId, ended.reason());
        } else {
            if (group.has(sessionId)) {
                writer.write(poll); // this session's pending events first: written and sent before what follows them
            }
            if (event instanceof SessionResumed resumed) {
                resumption.resume(poll, resumed);
            } else if (event instanceof WatchJoined joined) {
                // after every result before it is stored (written above): the node's catch-up is complete
                poll.sends()
                        .toWatchingNode(watchers.joined(
                                joined, SessionRoutes.declared(sessionId, joined.nodeId(), joined.replyTopic())));
            } else if (event instanceof SessionFailed failed) {
                failed(poll, failed);
            } else if (event instanceof AudioChunk) {
                throw new MalformedEventException("audio.chunk does not belong on " + Topics.TRANSCRIPTS);
            }
        }
    }

    /** A session's completion is its last event in a group: anything after it goes in the next one. */
    private void writeIfCompleting(Poll poll, String sessionId) {
        if (poll.group().completing(sessionId)) {
            writer.write(poll);
        }
    }

    /** A worker failed the session: stored as failed, then told to its client and its watchers. */
    private void failed(Poll poll, SessionFailed failed) {
        Route route = routes.of(failed);
        metrics.dbWrite("failed", () -> {
            store.fail(failed);
            return null;
        });
        poll.sends().deliver(poll.current(), route, failed);
        metrics.sessionFailed();
        routes.forget(failed.sessionId());
    }
}
