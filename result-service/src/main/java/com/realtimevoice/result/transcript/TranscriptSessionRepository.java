package com.realtimevoice.result.transcript;

import java.time.Instant;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface TranscriptSessionRepository extends JpaRepository<TranscriptSession, String> {

    /** A resumed session's results go to the node it resumed on from now on. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(nativeQuery = true, value = """
            UPDATE transcript_session SET node_id = :nodeId, reply_topic = :replyTopic, updated_at = :now WHERE id = :id
            """)
    int moveRoute(
            @Param("id") String id,
            @Param("nodeId") String nodeId,
            @Param("replyTopic") String replyTopic,
            @Param("now") Instant now);
}
