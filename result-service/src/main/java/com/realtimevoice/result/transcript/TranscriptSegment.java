package com.realtimevoice.result.transcript;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;

/** The stored final of one segment. Written only through TranscriptStore#storeFinals (a JDBC batch upsert). */
@Entity
@Table(name = "transcript_segment")
class TranscriptSegment {

    @EmbeddedId
    private SegmentKey id;

    @Column(name = "text", nullable = false, columnDefinition = "text")
    private String text;

    @Column(name = "start_ms", nullable = false)
    private long startMs;

    @Column(name = "end_ms", nullable = false)
    private long endMs;

    /** JSON array of the final's words, or null (see V4_22__segment_words.sql). */
    @Column(name = "words", columnDefinition = "mediumtext")
    private String words;

    @Column(name = "engine", length = 32)
    private String engine;

    @Column(name = "stored_at", nullable = false)
    private Instant storedAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected TranscriptSegment() {}

    SegmentKey getId() {
        return id;
    }

    String getText() {
        return text;
    }

    long getStartMs() {
        return startMs;
    }

    long getEndMs() {
        return endMs;
    }

    String getWords() {
        return words;
    }

    Instant getStoredAt() {
        return storedAt;
    }

    Instant getUpdatedAt() {
        return updatedAt;
    }
}
