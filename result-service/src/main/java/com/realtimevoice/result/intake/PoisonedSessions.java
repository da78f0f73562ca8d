package com.realtimevoice.result.intake;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.WatchJoined;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.SessionNotStoredException;
import com.realtimevoice.result.transcript.TranscriptStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison: a record that cannot pass on a retry goes to the dead-letter topic at once and its session fails, once:
 * stored as FAILED where it is stored, and told to its client ({@link TranscriptIntake#UNPROCESSABLE}) where a route
 * is known. The sessions failed so are remembered (the most recent ones), so their later records are dead-lettered
 * without being tried. Only a shortcut (and the client told once): without it the later records are poison on their
 * own (no stored start, or the session failed), e.g. after a restart.
 */
final class PoisonedSessions {

    private static final Logger log = LoggerFactory.getLogger(PoisonedSessions.class);

    private final TranscriptStore store;
    private final SessionRoutes routes;
    private final ResultMetrics metrics;
    /** Sessions failed here on poison, with why. */
    private final Map<String, String> poisoned;

    PoisonedSessions(TranscriptStore store, SessionRoutes routes, ResultMetrics metrics, int remembered) {
        this.store = store;
        this.routes = routes;
        this.metrics = metrics;
        this.poisoned = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > remembered;
            }
        });
    }

    /** Why the session failed on poison here, or null. */
    String why(String sessionId) {
        return poisoned.get(sessionId);
    }

    /**
     * Why the event is dead-lettered untried (its session failed on poison), or null. Not a resume: it is refused as
     * for any failed session; nor a join: its watchers are told the session failed.
     */
    PoisonedSessionException refuses(PipelineEvent event) {
        String why = poisoned.get(event.sessionId());
        if (why == null || event instanceof SessionResumed || event instanceof WatchJoined) {
            return null;
        }
        return new PoisonedSessionException(event.sessionId(), why);
    }

    /**
     * Record {@code index} of the poll is poison: dead-lettered now, and its session failed, once. What of the
     * session waits in the group must be written and sent before (the caller's part), so the error is its last
     * message.
     */
    void poison(Poll poll, int index, PipelineEvent event, String sessionId, RuntimeException cause) {
        poll.sends().deadLetter(index, cause);
        if (sessionId == null
                || sessionId.isBlank()
                || poisoned.putIfAbsent(sessionId, IntakeKafkaConfiguration.reason(cause)) != null) {
            return;
        }
        Route route = null;
        try {
            route = routes.known(sessionId, event); // from the record itself for a start
        } catch (RuntimeException e) {
            log.debug("session {}: no route to tell its client: {}", sessionId, e.toString());
        }
        routes.forget(sessionId);
        SessionFailed failed = new SessionFailed(
                sessionId,
                TranscriptIntake.UNPROCESSABLE,
                "the session's data could not be processed (a value the pipeline cannot store, or a corrupt record);"
                        + " the session has ended. Its stored finals are at GET /api/sessions/" + sessionId,
                System.currentTimeMillis());
        try {
            metrics.dbWrite("failed", () -> {
                store.fail(failed);
                return null;
            });
        } catch (SessionNotStoredException e) {
            // its start was the poison: nothing stored to mark
        } catch (RuntimeException e) {
            log.warn("session {}: could not mark it failed: {}", sessionId, e.toString());
        }
        if (route == null) {
            log.warn("session {} failed on poison; no node is known to tell its client", sessionId);
            return;
        }
        poll.sends().deliver(index, route, failed);
        metrics.sessionFailed();
    }
}
