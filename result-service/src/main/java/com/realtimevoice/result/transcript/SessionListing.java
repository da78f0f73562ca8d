package com.realtimevoice.result.transcript;

import static com.realtimevoice.result.transcript.TranscriptStore.PREVIEW_LENGTH;
import static com.realtimevoice.result.transcript.TranscriptStore.instant;
import static com.realtimevoice.result.transcript.TranscriptStore.utc;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The session list of the history API ({@link TranscriptStore#listSessions}, in its read-only transaction): a page of
 * a user's sessions by keyset over ix_transcript_session_user_started, each with the start of its transcript.
 */
final class SessionListing {

    private final JdbcTemplate jdbc;

    SessionListing(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The newest page of a user's sessions (ix_transcript_session_user_started; SessionListQueryPlanTest). */
    static final String LIST_SESSIONS = """
            SELECT id, started_at, ended_at, status FROM transcript_session
            WHERE user_id = ? ORDER BY started_at DESC, id DESC LIMIT ?
            """;

    /**
     * The page before a cursor (started_at, id). {@code started_at <= ?} makes it an index range that starts at the
     * cursor; the rest only drops the cursor's own start time's later ids. FORCE INDEX: with ORDER BY ... DESC LIMIT
     * MariaDB 10.11 otherwise takes a ref on user_id alone and walks the user's whole newer history backwards
     * (19,020 rows read for a page 19,000 deep in SessionListQueryPlanTest; 21 with it). H2 (the embedded default)
     * has no such hint: {@link #page} leaves it out there.
     */
    static final String LIST_SESSIONS_BEFORE = """
            SELECT id, started_at, ended_at, status FROM transcript_session FORCE INDEX (ix_transcript_session_user_started)
            WHERE user_id = ? AND started_at <= ? AND (started_at < ? OR id < ?)
            ORDER BY started_at DESC, id DESC LIMIT ?
            """;

    /** Segments read for a preview: the first few finals hold its 80 characters. */
    private static final int PREVIEW_SEGMENTS = 5;

    /**
     * One page of a user's sessions, newest first: those started before {@code (beforeStartedAt, beforeId)} in
     * (started_at, id) order, or the newest when both are null. Keyset pagination over
     * ix_transcript_session_user_started: a page costs the same on the first page and the thousandth.
     */
    List<SessionSummary> page(String userId, Instant beforeStartedAt, String beforeId, int limit) {
        List<SessionSummary> page = new ArrayList<>();
        List<Object> args = new ArrayList<>(List.of(userId));
        if (beforeStartedAt != null) {
            LocalDateTime at = utc(beforeStartedAt);
            args.addAll(List.of(at, at, beforeId));
        }
        args.add(limit);
        jdbc.query(
                beforeStartedAt == null ? LIST_SESSIONS : listBeforeSql(),
                (RowCallbackHandler) rs -> page.add(new SessionSummary(
                        rs.getString(1),
                        instant(rs.getObject(2, LocalDateTime.class)),
                        instant(rs.getObject(3, LocalDateTime.class)),
                        SessionStatus.valueOf(rs.getString(4)),
                        "")),
                args.toArray());
        if (page.isEmpty()) {
            return page;
        }
        Map<String, StringBuilder> previews = new HashMap<>();
        List<Object> ids =
                new ArrayList<>(page.stream().map(SessionSummary::sessionId).toList());
        String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
        ids.add(PREVIEW_SEGMENTS);
        jdbc.query(
                "SELECT session_id, text FROM transcript_segment WHERE session_id IN (" + in
                        + ") AND seg_index < ? ORDER BY session_id, seg_index",
                (RowCallbackHandler) rs -> {
                    StringBuilder preview = previews.computeIfAbsent(rs.getString(1), k -> new StringBuilder());
                    if (preview.length() < PREVIEW_LENGTH && !rs.getString(2).isEmpty()) {
                        preview.append(preview.isEmpty() ? "" : " ").append(rs.getString(2));
                    }
                },
                ids.toArray());
        return page.stream()
                .map(s -> new SessionSummary(
                        s.sessionId(), s.startedAt(), s.endedAt(), s.status(), preview(previews.get(s.sessionId()))))
                .toList();
    }

    private volatile String listBefore;

    private String listBeforeSql() {
        if (listBefore == null) {
            String product =
                    jdbc.execute((java.sql.Connection c) -> c.getMetaData().getDatabaseProductName());
            listBefore = "H2".equalsIgnoreCase(product)
                    ? LIST_SESSIONS_BEFORE.replace(" FORCE INDEX (ix_transcript_session_user_started)", "")
                    : LIST_SESSIONS_BEFORE;
        }
        return listBefore;
    }

    private static String preview(CharSequence text) {
        if (text == null) {
            return "";
        }
        if (text.length() <= PREVIEW_LENGTH) {
            return text.toString();
        }
        // never cut a surrogate pair (emoji, rare CJK) in half
        int end = Character.isHighSurrogate(text.charAt(PREVIEW_LENGTH - 1)) ? PREVIEW_LENGTH - 1 : PREVIEW_LENGTH;
        return text.subSequence(0, end).toString();
    }
}
