package com.realtimevoice.result.intake;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.result.intake.PendingGroup.Pending;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.result.transcript.TranscriptStore.Completion;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store step: writes a poll's pending group in one transaction ({@link TranscriptStore#storeGroup}: the sessions
 * started, the finals as one multi-row upsert, then the sessions completed), then sends it in record order: persist,
 * then deliver. A group whose transaction fails is written again one by one, so only the record that fails is named.
 */
final class GroupWriter {

    private static final Logger log = LoggerFactory.getLogger(GroupWriter.class);

    private final TranscriptStore store;
    private final SessionRoutes routes;
    private final ResultMetrics metrics;
    private final PoisonedSessions poisoned;

    GroupWriter(TranscriptStore store, SessionRoutes routes, ResultMetrics metrics, PoisonedSessions poisoned) {
        this.store = store;
        this.routes = routes;
        this.metrics = metrics;
        this.poisoned = poisoned;
    }

    /** Writes the poll's group in one transaction, then sends it in record order (persist, then deliver). */
    void write(Poll poll) {
        if (poll.group().isEmpty()) {
            return;
        }
        List<Pending> pending = poll.group().take();
        if (poll.databaseAway()) {
            pending.forEach(p -> poll.hold(p.index(), null));
            return;
        }
        List<TranscriptStore.Start> starts = new ArrayList<>();
        List<TranscriptFinal> finals = new ArrayList<>(pending.size());
        List<SessionCompleted> completions = new ArrayList<>();
        int writes = 0;
        for (Pending p : pending) {
            if (p.event() instanceof SessionStarted started) {
                starts.add(new TranscriptStore.Start(started, p.route()));
            } else if (p.event() instanceof TranscriptFinal fin) {
                finals.add(fin);
            } else if (p.event() instanceof SessionCompleted completed) {
                completions.add(completed);
            } else {
                continue;
            }
            writes++;
        }
        List<Completion> done = List.of();
        if (writes > 0) {
            try {
                done = metrics.dbWrite(
                        operation(starts, finals, completions), () -> store.storeGroup(starts, finals, completions));
            } catch (RuntimeException e) {
                if (Failures.isDatabaseAway(e)) { // one by one would wait for a connection each
                    poll.databaseIsAway();
                    pending.forEach(p -> poll.hold(p.index(), p == pending.get(0) ? e : null));
                    return;
                }
                oneByOne(poll, pending, writes == 1 ? e : null, e);
                return;
            }
            if (!finals.isEmpty()) {
                metrics.finalsStored(finals.size());
            }
        }
        int completion = 0;
        for (Pending p : pending) {
            if (p.event() instanceof SessionCompleted completed) {
                completed(poll, completed, p, done.get(completion++));
            } else if (!(p.event() instanceof SessionStarted)) {
                poll.sends().deliver(p.index(), p.route(), p.event());
            }
        }
    }

    /**
     * The group's transaction failed (rolled back): write its events one by one, delivering each after its
     * commit, so the record that fails is the one named and those before it are handled (a poison final
     * must not take its neighbours to the dead-letter topic): poison is dead-lettered and the others go on,
     * a transient failure holds its partition. With one write, its failure is known already.
     */
    private void oneByOne(
            Poll poll, List<Pending> pending, RuntimeException knownFailure, RuntimeException groupFailure) {
        log.debug(
                "writing {} events together failed, writing them one by one: {}",
                pending.size(),
                groupFailure.toString());
        for (Pending p : pending) {
            PipelineEvent event = p.event();
            if (poll.waits(p.index())) {
                poll.hold(p.index(), null); // after a record of its partition that failed: read again with it
                continue;
            }
            String why = poisoned.why(event.sessionId());
            if (why != null) { // poisoned by an event before it in this group
                poll.sends().deadLetter(p.index(), new PoisonedSessionException(event.sessionId(), why));
                continue;
            }
            if (event instanceof TranscriptPartial || event instanceof SpeechStarted) {
                poll.sends().deliver(p.index(), p.route(), event);
                continue;
            }
            try {
                if (knownFailure != null) {
                    throw knownFailure;
                }
                if (event instanceof SessionStarted started) {
                    metrics.dbWrite("started", () -> {
                        store.recordStarted(started, p.route());
                        return null;
                    });
                } else if (event instanceof TranscriptFinal fin) {
                    metrics.dbWrite("final", () -> {
                        store.storeFinal(fin);
                        return null;
                    });
                    metrics.finalsStored(1);
                    poll.sends().deliver(p.index(), p.route(), fin);
                } else if (event instanceof SessionCompleted completed) {
                    completed(poll, completed, p, metrics.dbWrite("completed", () -> store.complete(completed)));
                }
            } catch (RuntimeException e) {
                if (event instanceof SessionStarted) {
                    routes.forget(event.sessionId()); // not stored: the route is read back once it is
                }
                if (Failures.isTransient(e)) {
                    if (Failures.isDatabaseAway(e)) {
                        poll.databaseIsAway();
                    }
                    poll.hold(p.index(), e);
                } else {
                    poisoned.poison(poll, p.index(), event, event.sessionId(), e);
                }
            }
        }
    }

    /** After the commit of a completion: tell the client, unless it was told before. */
    private void completed(Poll poll, SessionCompleted fromWorker, Pending p, Completion completion) {
        routes.forget(fromWorker.sessionId()); // done; a late replay reads the route back from the row
        if (completion.again()) {
            // A replayed session (worker takeover): its client was told already; a resume re-sends from the rows.
            return;
        }
        // The worker leaves text null; the whole text is built from what is stored, so it matches history.
        poll.sends()
                .deliver(
                        p.index(),
                        p.route(),
                        new SessionCompleted(
                                fromWorker.sessionId(),
                                completion.segments(),
                                completion.text(),
                                System.currentTimeMillis()));
        metrics.sessionCompleted();
    }

    /**
     * The {@code result.db.write} tag of a group's write: {@code final} when it holds finals (it is the time a
     * final takes to be stored, what the hop dashboards read), else what it holds.
     */
    private static String operation(List<?> starts, List<?> finals, List<?> completions) {
        if (!finals.isEmpty()) {
            return "final";
        }
        if (completions.isEmpty()) {
            return "started";
        }
        return starts.isEmpty() ? "completed" : "lifecycle";
    }
}
