package com.realtimevoice.result.transcript;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.Word;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The only writer of sessions and finals. Every method runs in its own transaction and returns only after
 * the commit, so the caller can deliver knowing the result is durable (persist, then deliver). The listener
 * writes a poll's events in groups ({@link #storeGroup}: one transaction, JDBC batches); the single-event
 * methods are that with one event.
 */
@Service
public class TranscriptStore {

    private static final Logger log = LoggerFactory.getLogger(TranscriptStore.class);

    /** Deadlocks and lost upsert races are transient: a second attempt of the same upsert succeeds. */
    private static final int ATTEMPTS = 3;

    /**
     * Stores a final by its identity (session, index): the first time inserts, a replay overwrites the same row.
     * A single upsert rather than find-then-save, so concurrent replays cannot both insert. {@code VALUES(col)}
     * rather than repeated parameters: with parameters in the ON DUPLICATE KEY UPDATE clause MySQL Connector/J
     * cannot rewrite a batch into one multi-row INSERT (rewriteBatchedStatements). MySQL 8 deprecates VALUES()
     * (a warning, still supported in 8.4 and 9), MariaDB and H2 in MySQL mode support it; the row-alias syntax
     * that replaces it exists on MySQL only. Within one batch rows apply in order: a later replay wins.
     */
    static final String UPSERT_SEGMENT = """
            INSERT INTO transcript_segment
                (session_id, seg_index, text, start_ms, end_ms, engine, stored_at, updated_at, words)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE text = VALUES(text), start_ms = VALUES(start_ms), end_ms = VALUES(end_ms),
                engine = VALUES(engine), updated_at = VALUES(updated_at), words = VALUES(words)
            """;

    /**
     * Inserts the session or, on a replay, refreshes its route. One statement, so two consumers that both see
     * the event (during a rebalance) cannot race into a duplicate-key error. The owner and a final status are
     * never overwritten by a replayed start. (VALUES(col): see {@link #UPSERT_SEGMENT}.)
     */
    static final String UPSERT_SESSION = """
            INSERT INTO transcript_session
                (id, user_id, node_id, reply_topic, format, sample_rate, language, engine,
                 status, segments, started_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'STARTED', 0, ?, ?)
            ON DUPLICATE KEY UPDATE node_id = VALUES(node_id), reply_topic = VALUES(reply_topic),
                updated_at = VALUES(updated_at)
            """;

    static final String COMPLETE_SESSION = """
            UPDATE transcript_session SET status = 'COMPLETED', segments = ?, error_code = NULL, ended_at = ?,
                updated_at = ?
            WHERE id = ?
            """;

    private final TranscriptSessionRepository sessions;
    private final TranscriptSegmentRepository segments;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TransactionTemplate readOnlyTx;
    private final SessionListing listing;

    TranscriptStore(
            TranscriptSessionRepository sessions,
            TranscriptSegmentRepository segments,
            JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager) {
        this.sessions = sessions;
        this.segments = segments;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.readOnlyTx = new TransactionTemplate(transactionManager);
        this.readOnlyTx.setReadOnly(true);
        this.listing = new SessionListing(jdbc);
    }

    /** Creates the session (status STARTED) or, on a replay, refreshes its route. Committed on return. */
    public void recordStarted(SessionStarted started, Route route) {
        storeGroup(List.of(new Start(started, route)), List.of(), List.of());
    }

    /** Stores a final by its identity (session, index); a replay overwrites the one row. Committed on return. */
    public void storeFinal(TranscriptFinal fin) {
        storeFinals(List.of(fin));
    }

    /**
     * Stores finals in one transaction, as one JDBC batch (one multi-row statement on MySQL/MariaDB), in list
     * order: a final that appears twice (a replay) keeps the later one. All or nothing; committed on return.
     * The sessions must be stored already (recordStarted), as for a single final.
     */
    public void storeFinals(List<TranscriptFinal> finals) {
        if (finals.isEmpty()) {
            return;
        }
        storeGroup(List.of(), finals, List.of());
    }

    /**
     * Writes one group of a poll's events in one transaction, committed on return, all or nothing: the sessions
     * started (one batch), then the finals (one batch, in list order: a replay later in the list wins), then
     * the sessions completed, each completion reading the segments as stored by then. The caller puts at most
     * one completion per session in a group, after that session's other events, and a start only before them:
     * so every session's writes happen in the order of its events.
     *
     * @return the completions, in the order given
     */
    public List<Completion> storeGroup(
            List<Start> starts, List<TranscriptFinal> finals, List<SessionCompleted> completions) {
        if (starts.isEmpty() && finals.isEmpty() && completions.isEmpty()) {
            return List.of();
        }
        LocalDateTime now = utc(Instant.now());
        // JpaTransactionManager exposes its connection to JdbcTemplate: the batches run in the transaction.
        return inTransaction(() -> {
            if (!starts.isEmpty()) {
                jdbc.batchUpdate(UPSERT_SESSION, starts, starts.size(), (ps, start) -> {
                    SessionStarted started = start.started();
                    ps.setString(1, started.sessionId());
                    ps.setString(2, started.userId());
                    ps.setString(3, start.route().nodeId());
                    ps.setString(4, start.route().replyTopic());
                    ps.setString(5, started.format());
                    ps.setInt(6, started.sampleRate());
                    ps.setString(7, started.language());
                    ps.setString(8, started.engine());
                    ps.setObject(9, utc(Instant.ofEpochMilli(started.startedAtMs())));
                    ps.setObject(10, now);
                });
            }
            if (!finals.isEmpty()) {
                jdbc.batchUpdate(UPSERT_SEGMENT, finals, finals.size(), (ps, fin) -> {
                    ps.setString(1, fin.sessionId());
                    ps.setInt(2, fin.index());
                    ps.setString(3, fin.text() == null ? "" : fin.text());
                    ps.setLong(4, fin.startMs());
                    ps.setLong(5, fin.endMs());
                    ps.setString(6, fin.engine());
                    ps.setObject(7, now);
                    ps.setObject(8, now);
                    ps.setString(9, wordsJson(fin));
                });
            }
            return completions.isEmpty() ? List.<Completion>of() : completeAll(completions, now);
        });
    }

    /** A session.started to store, with the route it names. */
    public record Start(SessionStarted started, Route route) {}

    /**
     * Marks the session COMPLETED and returns the whole transcript as stored, so what the client is told in
     * {@code completed} is exactly what history will show.
     */
    public Completion complete(SessionCompleted completed) {
        return storeGroup(List.of(), List.of(), List.of(completed)).get(0);
    }

    /**
     * Marks sessions COMPLETED and builds each one's whole text from its stored segments: one read of the
     * sessions' status, one of their segments and one batch of updates, whatever the number of sessions.
     * Called in the group's transaction after its finals, so their texts are in it.
     */
    private List<Completion> completeAll(List<SessionCompleted> completions, LocalDateTime now) {
        List<String> ids =
                completions.stream().map(SessionCompleted::sessionId).distinct().toList();
        String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
        Map<String, String> status = new HashMap<>();
        jdbc.query(
                "SELECT id, status FROM transcript_session WHERE id IN (" + in + ")",
                (RowCallbackHandler) rs -> status.put(rs.getString(1), rs.getString(2)),
                ids.toArray());
        Map<String, List<String>> texts = new HashMap<>();
        jdbc.query(
                "SELECT session_id, text FROM transcript_segment WHERE session_id IN (" + in
                        + ") ORDER BY session_id, seg_index",
                (RowCallbackHandler) rs -> texts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2)),
                ids.toArray());
        List<Completion> done = new ArrayList<>(completions.size());
        for (SessionCompleted completed : completions) {
            String was = status.get(completed.sessionId());
            if (was == null) {
                throw new SessionNotStoredException(completed.sessionId());
            }
            List<String> stored = texts.getOrDefault(completed.sessionId(), List.of());
            if (stored.size() != completed.segments()) {
                // Not fatal: the worker's count is what it emitted; finals it re-emits later overwrite by index.
                log.warn(
                        "session {} completed with {} segments but {} are stored",
                        completed.sessionId(),
                        completed.segments(),
                        stored.size());
            }
            boolean again = SessionStatus.COMPLETED.name().equals(was);
            status.put(completed.sessionId(), SessionStatus.COMPLETED.name());
            done.add(new Completion(completed.segments(), Transcript.joinText(stored), again));
        }
        jdbc.batchUpdate(COMPLETE_SESSION, completions, completions.size(), (ps, completed) -> {
            ps.setInt(1, completed.segments());
            ps.setObject(2, utc(Instant.ofEpochMilli(completed.completedAtMs())));
            ps.setObject(3, now);
            ps.setString(4, completed.sessionId());
        });
        return done;
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

    /** No session has this id (ids are UUIDs): what {@link #warmUp} runs reads nothing and changes no row. */
    static final String WARM_UP_ID = "warm-up:no-such-session";

    /**
     * Runs once the statements of the rare paths that a client waits on: a resume (read the transcript, move the
     * route) and a failure (read the session). The hot path's statements run with the first poll; these would
     * otherwise be prepared on the first resume after a start, and Hibernate's first query (loading its query
     * parser, translating) took 2-7 s of a cold, loaded JVM while that client, and every other session of the
     * partitions in that poll, heard nothing. Reads one stored session, if there is one (loading an entity is a
     * path of its own); changes no row.
     */
    public void warmUp() {
        readOnlyTx.execute(status -> segments.findByIdSessionIdOrderByIdIndexAsc(WARM_UP_ID));
        List<String> any = jdbc.queryForList("SELECT id FROM transcript_session LIMIT 1", String.class);
        findTranscript(any.isEmpty() ? WARM_UP_ID : any.get(0));
        findRoute(WARM_UP_ID);
        moveRoute(WARM_UP_ID, new Route(WARM_UP_ID, WARM_UP_ID));
    }

    /**
     * The write path of a whole session (its start, finals with words, its completion: {@link #storeGroup}) over and
     * over for {@code length}, each round in a transaction that is rolled back: a new result service prepares its
     * statements and compiles its code before the first real session, and nothing is stored. Returns the rounds.
     */
    public int warmUpWrites(Duration length) {
        long deadline = System.nanoTime() + length.toNanos();
        long t = System.currentTimeMillis();
        Start start = new Start(
                new SessionStarted(
                        WARM_UP_ID, WARM_UP_ID, WARM_UP_ID, WARM_UP_ID, "pcm", 16000, "en", "vosk", true, false, t),
                new Route(WARM_UP_ID, WARM_UP_ID));
        List<TranscriptFinal> finals = List.of(
                new TranscriptFinal(
                        WARM_UP_ID,
                        0,
                        "what time is it",
                        0,
                        1200,
                        "vosk",
                        t,
                        t,
                        List.of(new Word("what", 0, 300, 1.0))),
                new TranscriptFinal(WARM_UP_ID, 1, "the weather is nice today", 1500, 3200, "vosk", t, t));
        List<SessionCompleted> completed = List.of(new SessionCompleted(WARM_UP_ID, 2, null, t));
        int rounds = 0;
        while (System.nanoTime() < deadline) {
            tx.execute(status -> {
                status.setRollbackOnly(); // storeGroup's own transaction joins this one, so nothing is committed
                return storeGroup(List.of(start), finals, completed);
            });
            rounds++;
        }
        return rounds;
    }

    /** Moves a resumed session's route to its new node. */
    public void moveRoute(String sessionId, Route route) {
        Instant now = Instant.now();
        inTransaction(() -> sessions.moveRoute(sessionId, route.nodeId(), route.replyTopic(), now));
    }

    public Optional<Route> findRoute(String sessionId) {
        return readOnlyTx.execute(
                status -> sessions.findById(sessionId).map(s -> new Route(s.getNodeId(), s.getReplyTopic())));
    }

    public Optional<Transcript> findTranscript(String sessionId) {
        return readOnlyTx.execute(status -> sessions.findById(sessionId)
                .map(s -> new Transcript(
                        s.getId(),
                        s.getUserId(),
                        s.getStatus(),
                        s.getErrorCode(),
                        s.getStartedAt(),
                        s.getEndedAt(),
                        segments.findByIdSessionIdOrderByIdIndexAsc(sessionId).stream()
                                .map(seg -> new Transcript.Segment(
                                        seg.getId().getIndex(),
                                        seg.getText(),
                                        seg.getStartMs(),
                                        seg.getEndMs(),
                                        words(seg.getWords())))
                                .toList())));
    }

    /** The longest {@link SessionSummary#preview}: one line of a list, not the transcript. */
    public static final int PREVIEW_LENGTH = 80;

    /**
     * One page of a user's sessions, newest first: those started before {@code (beforeStartedAt, beforeId)} in
     * (started_at, id) order, or the newest when both are null ({@link SessionListing}).
     */
    public List<SessionSummary> listSessions(String userId, Instant beforeStartedAt, String beforeId, int limit) {
        return readOnlyTx.execute(status -> listing.page(userId, beforeStartedAt, beforeId, limit));
    }

    /**
     * Deletes the user's session with its segments, unless it is still recording. Someone else's session answers
     * NOT_FOUND, exactly like a missing one.
     */
    public Deletion delete(String sessionId, String userId) {
        return inTransaction(() -> {
            // FOR UPDATE: a completion racing this delete waits for it, then finds no row (SessionNotStored).
            List<String[]> rows = jdbc.query(
                    "SELECT user_id, status FROM transcript_session WHERE id = ? FOR UPDATE",
                    (rs, n) -> new String[] {rs.getString(1), rs.getString(2)},
                    sessionId);
            if (rows.isEmpty() || !rows.get(0)[0].equals(userId)) {
                return Deletion.NOT_FOUND;
            }
            if (SessionStatus.STARTED.name().equals(rows.get(0)[1])) {
                return Deletion.LIVE;
            }
            jdbc.update("DELETE FROM transcript_segment WHERE session_id = ?", sessionId);
            jdbc.update("DELETE FROM transcript_session WHERE id = ?", sessionId);
            return Deletion.DELETED;
        });
    }

    /**
     * Deletes up to {@code batchSize} of the oldest sessions started before {@code cutoff}, with their segments, in
     * one transaction. Bounded, so a first purge of years of history never holds locks for long.
     *
     * @return how many sessions were deleted; fewer than batchSize means none older is left
     */
    public int purgeStartedBefore(Instant cutoff, int batchSize) {
        return inTransaction(() -> {
            List<String> ids = jdbc.queryForList(
                    "SELECT id FROM transcript_session WHERE started_at < ? ORDER BY started_at LIMIT ?",
                    String.class,
                    utc(cutoff),
                    batchSize);
            if (ids.isEmpty()) {
                return 0;
            }
            String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
            jdbc.update("DELETE FROM transcript_segment WHERE session_id IN (" + in + ")", ids.toArray());
            return jdbc.update("DELETE FROM transcript_session WHERE id IN (" + in + ")", ids.toArray());
        });
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Word>> WORDS = new TypeReference<>() {};

    /**
     * A final's words as stored: fitted again to the final and to the column's bounds (Word.fit), whatever the
     * producer sent, so the row always fits; null when the final has none (the session did not ask).
     */
    static String wordsJson(TranscriptFinal fin) {
        return fin.words() == null ? null : JSON.writeValueAsString(Word.fit(fin.words(), fin.startMs(), fin.endMs()));
    }

    private static List<Word> words(String json) {
        return json == null ? null : JSON.readValue(json, WORDS);
    }

    /** The result of completing a session: the segment count and the whole text. */
    /** @param again the session was completed before: this is a replay (a worker took its partition over) */
    public record Completion(int segments, String text, boolean again) {

        public Completion(int segments, String text) {
            this(segments, text, false);
        }
    }

    /**
     * DATETIME columns hold the UTC wall clock (hibernate.jdbc.time_zone for the entities). A LocalDateTime is
     * bound as is by both MySQL Connector/J and H2, and far cheaper to bind than a Timestamp with a Calendar.
     */
    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    /**
     * A lock wait that timed out (MySQL/MariaDB 1205) already waited the whole {@code innodb_lock_wait_timeout}
     * ({@code DB_LOCK_WAIT_TIMEOUT}) on the caller's thread: not tried again here (three attempts held the intake's
     * consumer thread three timeouts); the intake holds the record's partition and retries it after a back-off.
     */
    private static boolean lockWaitTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == 1205) {
                return true;
            }
        }
        return false;
    }

    private <T> T inTransaction(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> work.get());
            } catch (TransientDataAccessException | DuplicateKeyException e) {
                if (attempt >= ATTEMPTS || lockWaitTimeout(e)) {
                    throw e;
                }
                log.debug("transient database error, attempt {} of {}: {}", attempt, ATTEMPTS, e.getMessage());
            }
        }
    }
}
