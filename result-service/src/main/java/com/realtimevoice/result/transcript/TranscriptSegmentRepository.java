package com.realtimevoice.result.transcript;

import java.time.Instant;
import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface TranscriptSegmentRepository extends JpaRepository<TranscriptSegment, SegmentKey> {

    /**
     * Stores a final by its identity (session, index): the first time inserts, a replay overwrites the same row.
     * A single upsert rather than find-then-save, so concurrent replays cannot both insert.
     */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(nativeQuery = true, value = """
            INSERT INTO transcript_segment
                (session_id, seg_index, text, start_ms, end_ms, engine, stored_at, updated_at)
            VALUES (:sessionId, :index, :text, :startMs, :endMs, :engine, :now, :now)
            ON DUPLICATE KEY UPDATE text = :text, start_ms = :startMs, end_ms = :endMs, engine = :engine,
                updated_at = :now
            """)
    int upsert(@Param("sessionId") String sessionId, @Param("index") int index, @Param("text") String text,
            @Param("startMs") long startMs, @Param("endMs") long endMs, @Param("engine") String engine,
            @Param("now") Instant now);

    List<TranscriptSegment> findByIdSessionIdOrderByIdIndexAsc(String sessionId);

    long countByIdSessionId(String sessionId);
}
