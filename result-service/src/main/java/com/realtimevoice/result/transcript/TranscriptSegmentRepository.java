package com.realtimevoice.result.transcript;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** Reads segments; they are written only by {@link TranscriptStore#storeFinals} (one JDBC batch upsert). */
interface TranscriptSegmentRepository extends JpaRepository<TranscriptSegment, SegmentKey> {

    List<TranscriptSegment> findByIdSessionIdOrderByIdIndexAsc(String sessionId);

    long countByIdSessionId(String sessionId);
}
