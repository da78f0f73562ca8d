package com.realtimevoice.result.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.realtimevoice.testsupport.TestDatabase;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The session list's queries on MariaDB with 100,000 sessions (one heavy user holds 20,000): the plan reads the
 * user-and-start index in order (no filesort) and a page examines about a page of rows, wherever the cursor is.
 * MariaDB only: H2's plans say nothing about production.
 */
@DataJpaTest(properties = "spring.config.name=result-service")
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import(TranscriptStore.class)
@Transactional(propagation = Propagation.NOT_SUPPORTED)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionListQueryPlanTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int SESSIONS = 100_000;
    private static final int HEAVY_USER_SESSIONS = 20_000;
    private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TranscriptStore store;

    @BeforeAll
    void hundredThousandSessions() {
        assumeTrue(DB.isMariaDb(), "query plans are checked on MariaDB only");
        List<Object[]> rows = new ArrayList<>(SESSIONS);
        for (int i = 0; i < SESSIONS; i++) {
            String user = i < HEAVY_USER_SESSIONS ? "heavy" : "user-" + (i % 4000);
            LocalDateTime at = T0.plusSeconds(i);
            rows.add(new Object[] {String.format("s-%06d", i), user, at, at.plusSeconds(5)});
        }
        jdbc.batchUpdate(
                """
                INSERT INTO transcript_session (id, user_id, node_id, reply_topic, format, sample_rate, status, segments,
                    started_at, ended_at, updated_at)
                VALUES (?, ?, 'node', 'asr.delivery.v1.node', 'pcm', 16000, 'COMPLETED', 0, ?, ?, ?)
                """,
                rows.stream()
                        .map(r -> new Object[] {r[0], r[1], r[2], r[3], r[3]})
                        .toList());
        jdbc.execute("ANALYZE TABLE transcript_session");
    }

    @Test
    void theFirstPageReadsTheIndexInOrder() {
        Map<String, Object> plan = explain(SessionListing.LIST_SESSIONS, "heavy", 21);
        assertThat(plan.get("key")).isEqualTo("ix_transcript_session_user_started");
        assertThat(String.valueOf(plan.get("Extra"))).doesNotContainIgnoringCase("filesort");
        assertThat(examined(SessionListing.LIST_SESSIONS, "heavy", 21)).isLessThanOrEqualTo(21 + 1);
    }

    @Test
    void aPageDeepInTheHistoryCostsTheSameAsTheFirst() {
        LocalDateTime deep = T0.plusSeconds(1_000);
        Object[] args = {"heavy", deep, deep, "s-001000", 21};
        Map<String, Object> plan = explain(SessionListing.LIST_SESSIONS_BEFORE, args);
        assertThat(plan.get("key")).isEqualTo("ix_transcript_session_user_started");
        assertThat(String.valueOf(plan.get("type"))).isEqualTo("range");
        assertThat(String.valueOf(plan.get("Extra"))).doesNotContainIgnoringCase("filesort");
        assertThat(examined(SessionListing.LIST_SESSIONS_BEFORE, args)).isLessThanOrEqualTo(21 + 1);
        assertThat(store.listSessions("heavy", deep.toInstant(java.time.ZoneOffset.UTC), "s-001000", 21))
                .extracting(SessionSummary::sessionId)
                .startsWith("s-000999", "s-000998");
    }

    private Map<String, Object> explain(String sql, Object... args) {
        return jdbc.queryForList("EXPLAIN " + sql, args).get(0);
    }

    /** Rows the server read for the query (Handler_read_* after minus before, in one session). */
    private long examined(String sql, Object... args) {
        return jdbc.execute((java.sql.Connection c) -> {
            long before = handlerReads(c);
            try (var ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // read them all
                    }
                }
            }
            return handlerReads(c) - before;
        });
    }

    private static long handlerReads(java.sql.Connection c) throws java.sql.SQLException {
        long reads = 0;
        try (var rs = c.createStatement().executeQuery("SHOW SESSION STATUS LIKE 'Handler_read%'")) {
            while (rs.next()) {
                reads += rs.getLong(2);
            }
        }
        return reads;
    }
}
