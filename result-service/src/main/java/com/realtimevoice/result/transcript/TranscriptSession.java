package com.realtimevoice.result.transcript;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One recognition session and the route to the ingest node that holds its socket. */
@Entity
@Table(name = "transcript_session")
class TranscriptSession {

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "user_id", nullable = false, length = 128)
    private String userId;

    @Column(name = "node_id", nullable = false, length = 100)
    private String nodeId;

    @Column(name = "reply_topic", nullable = false)
    private String replyTopic;

    @Column(name = "format", length = 16)
    private String format;

    @Column(name = "sample_rate", nullable = false)
    private int sampleRate;

    @Column(name = "language", length = 32)
    private String language;

    @Column(name = "engine", length = 32)
    private String engine;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    private SessionStatus status;

    @Column(name = "segments", nullable = false)
    private int segments;

    @Column(name = "error_code", length = 64)
    private String errorCode;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "ended_at")
    private Instant endedAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected TranscriptSession() {
        // for JPA; rows are created, and completed, by TranscriptStore#storeGroup (JDBC)
    }

    void fail(String code, Instant endedAt, Instant now) {
        this.status = SessionStatus.FAILED;
        this.errorCode = code;
        this.endedAt = endedAt;
        this.updatedAt = now;
    }

    String getId() {
        return id;
    }

    String getUserId() {
        return userId;
    }

    String getNodeId() {
        return nodeId;
    }

    String getReplyTopic() {
        return replyTopic;
    }

    SessionStatus getStatus() {
        return status;
    }

    String getErrorCode() {
        return errorCode;
    }

    Instant getStartedAt() {
        return startedAt;
    }

    Instant getEndedAt() {
        return endedAt;
    }
}
