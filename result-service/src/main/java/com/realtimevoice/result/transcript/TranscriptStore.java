package com.realtimevoice.result.transcript;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The only writer of sessions and finals. Every method runs in its own transaction and returns only after
 * the commit, so the caller can deliver knowing the result is durable (persist, then deliver).
 */
@Service
public class TranscriptStore {

    private static final Logger log = LoggerFactory.getLogger(TranscriptStore.class);

    /** Deadlocks and lost upsert races are transient: a second attempt of the same upsert succeeds. */
    private static final int ATTEMPTS = 3;

    private final TranscriptSessionRepository sessions;
    private final TranscriptSegmentRepository segments;
    private final TransactionTemplate tx;
    private final TransactionTemplate readOnlyTx;

    TranscriptStore(TranscriptSessionRepository sessions, TranscriptSegmentRepository segments,
            PlatformTransactionManager transactionManager) {
        this.sessions = sessions;
        this.segments = segments;
        this.tx = new TransactionTemplate(transactionManager);
        this.readOnlyTx = new TransactionTemplate(transactionManager);
        this.readOnlyTx.setReadOnly(true);
    }

    /** Creates the session (status STARTED) or, on a replay, refreshes its route. */
    public void recordStarted(SessionStarted started, Route route) {
        Instant now = Instant.now();
        inTransaction(() -> sessions.upsertStarted(started.sessionId(), started.userId(), route.nodeId(),
                route.replyTopic(), started.format(), started.sampleRate(), started.language(), started.engine(),
                Instant.ofEpochMilli(started.startedAtMs()), now));
    }

    /** Stores a final by its identity (session, index); a replay overwrites the one row. Committed on return. */
    public void storeFinal(TranscriptFinal fin) {
        Instant now = Instant.now();
        String text = fin.text() == null ? "" : fin.text();
        inTransaction(() -> segments.upsert(fin.sessionId(), fin.index(), text, fin.startMs(), fin.endMs(),
                fin.engine(), now));
    }

    /**
     * Marks the session COMPLETED and returns the whole transcript as stored, so what the client is told in
     * {@code completed} is exactly what history will show.
     */
    public Completion complete(SessionCompleted completed) {
        Instant now = Instant.now();
        return inTransaction(() -> {
            TranscriptSession session = sessions.findById(completed.sessionId())
                    .orElseThrow(() -> new SessionNotStoredException(completed.sessionId()));
            List<TranscriptSegment> stored = segments.findByIdSessionIdOrderByIdIndexAsc(completed.sessionId());
            if (stored.size() != completed.segments()) {
                // Not fatal: the worker's count is what it emitted; finals it re-emits later overwrite by index.
                log.warn("session {} completed with {} segments but {} are stored",
                        completed.sessionId(), completed.segments(), stored.size());
            }
            boolean again = session.getStatus() == SessionStatus.COMPLETED;
            session.complete(completed.segments(), Instant.ofEpochMilli(completed.completedAtMs()), now);
            String text = Transcript.joinText(stored.stream().map(TranscriptSegment::getText).toList());
            return new Completion(completed.segments(), text, again);
        });
    }

    public void fail(SessionFailed failed) {
        Instant now = Instant.now();
        inTransaction(() -> {
            TranscriptSession session = sessions.findById(failed.sessionId())
                    .orElseThrow(() -> new SessionNotStoredException(failed.sessionId()));
            session.fail(failed.code(), Instant.ofEpochMilli(failed.failedAtMs()), now);
            return null;
        });
    }

    /** Moves a resumed session's route to its new node. */
    public void moveRoute(String sessionId, Route route) {
        Instant now = Instant.now();
        inTransaction(() -> sessions.moveRoute(sessionId, route.nodeId(), route.replyTopic(), now));
    }

    public Optional<Route> findRoute(String sessionId) {
        return readOnlyTx.execute(status -> sessions.findById(sessionId)
                .map(s -> new Route(s.getNodeId(), s.getReplyTopic())));
    }

    public Optional<Transcript> findTranscript(String sessionId) {
        return readOnlyTx.execute(status -> sessions.findById(sessionId).map(s -> new Transcript(
                s.getId(), s.getUserId(), s.getStatus(), s.getErrorCode(), s.getStartedAt(), s.getEndedAt(),
                segments.findByIdSessionIdOrderByIdIndexAsc(sessionId).stream()
                        .map(seg -> new Transcript.Segment(seg.getId().getIndex(), seg.getText(), seg.getStartMs(),
                                seg.getEndMs()))
                        .toList())));
    }

    /** The result of completing a session: the segment count and the whole text. */
    /** @param again the session was completed before: this is a replay (a worker took its partition over) */
    public record Completion(int segments, String text, boolean again) {

        public Completion(int segments, String text) {
            this(segments, text, false);
        }
    }

    private <T> T inTransaction(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> work.get());
            } catch (TransientDataAccessException | DuplicateKeyException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                log.debug("transient database error, attempt {} of {}: {}", attempt, ATTEMPTS, e.getMessage());
            }
        }
    }
}
