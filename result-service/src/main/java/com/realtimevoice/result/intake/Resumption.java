package com.realtimevoice.result.intake;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.SessionStatus;
import com.realtimevoice.result.transcript.Transcript;
import com.realtimevoice.result.transcript.TranscriptStore;
import java.util.Optional;

/**
 * A client reattached on another node (or the same): from here on its results go there, in order with everything
 * after the resume, and it first gets every stored final it has not seen, and completed if the session has finished
 * meanwhile. A session that cannot be resumed gets SESSION_NOT_FOUND on the new node.
 */
final class Resumption {

    private final TranscriptStore store;
    private final SessionRoutes routes;
    private final ResultMetrics metrics;

    Resumption(TranscriptStore store, SessionRoutes routes, ResultMetrics metrics) {
        this.store = store;
        this.routes = routes;
        this.metrics = metrics;
    }

    /** Handles the poll's current record, a resume; what the session had waiting in the group is written already. */
    void resume(Poll poll, SessionResumed resumed) {
        Route route = SessionRoutes.declared(resumed.sessionId(), resumed.nodeId(), resumed.replyTopic());
        Optional<Transcript> stored = store.findTranscript(resumed.sessionId());
        if (stored.isEmpty()
                || !stored.get().userId().equals(resumed.userId())
                || stored.get().status() == SessionStatus.FAILED) {
            poll.sends()
                    .send(
                            route,
                            new SessionFailed(
                                    resumed.sessionId(),
                                    "SESSION_NOT_FOUND",
                                    "the session cannot be resumed (unknown, ended or failed); its stored finals are at GET /api/sessions/"
                                            + resumed.sessionId(),
                                    System.currentTimeMillis()));
            metrics.resumed("refused");
            return;
        }
        Transcript transcript = stored.get();
        metrics.dbWrite("resumed", () -> {
            store.moveRoute(resumed.sessionId(), route);
            return null;
        });
        routes.remember(resumed.sessionId(), route);
        long now = System.currentTimeMillis();
        for (Transcript.Segment segment : transcript.segments()) {
            if (segment.index() > resumed.lastIndex()) {
                poll.sends()
                        .send(
                                route,
                                new TranscriptFinal(
                                        resumed.sessionId(),
                                        segment.index(),
                                        segment.text(),
                                        segment.startMs(),
                                        segment.endMs(),
                                        null,
                                        0,
                                        now,
                                        segment.words()));
            }
        }
        if (transcript.status() == SessionStatus.COMPLETED) {
            poll.sends()
                    .send(
                            route,
                            new SessionCompleted(
                                    resumed.sessionId(), transcript.segments().size(), transcript.text(), now));
            routes.forget(resumed.sessionId());
        }
        metrics.resumed(transcript.status() == SessionStatus.COMPLETED ? "completed" : "resumed");
    }
}
