package com.realtimevoice.result.transcript;

import java.time.Instant;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface TranscriptSessionRepository extends JpaRepository<TranscriptSession, String> {

    /**
     * Inserts the session or, on a replay, refreshes its route. One statement, so two consumers that both see
     * the event (during a rebalance) cannot race into a duplicate-key error. The owner and a final status are
     * never overwritten by a replayed start.
     * (Parameters are repeated instead of VALUES(col): MySQL 8 deprecates VALUES(), MariaDB lacks the row alias.)
     */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(nativeQuery = true, value = """
            INSERT INTO transcript_session
                (id, user_id, node_id, reply_topic, format, sample_rate, language, engine,
                 status, segments, started_at, updated_at)
            VALUES (:id, :userId, :nodeId, :replyTopic, :format, :sampleRate, :language, :engine,
                 'STARTED', 0, :startedAt, :now)
            ON DUPLICATE KEY UPDATE node_id = :nodeId, reply_topic = :replyTopic, updated_at = :now
            """)
    int upsertStarted(@Param("id") String id, @Param("userId") String userId, @Param("nodeId") String nodeId,
            @Param("replyTopic") String replyTopic, @Param("format") String format,
            @Param("sampleRate") int sampleRate, @Param("language") String language, @Param("engine") String engine,
            @Param("startedAt") Instant startedAt, @Param("now") Instant now);

    /** A resumed session's results go to the node it resumed on from now on. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(nativeQuery = true, value = """
            UPDATE transcript_session SET node_id = :nodeId, reply_topic = :replyTopic, updated_at = :now WHERE id = :id
            """)
    int moveRoute(@Param("id") String id, @Param("nodeId") String nodeId, @Param("replyTopic") String replyTopic,
            @Param("now") Instant now);
}
