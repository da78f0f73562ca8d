-- Runs unchanged on MySQL 8, MariaDB 10.6+ and H2 in MySQL mode (the embedded default; H2 accepts and
-- ignores the table options). utf8mb4 whatever the server's default (MariaDB's is often latin1): transcripts
-- hold any language and emoji. utf8mb4_bin: ids compare exactly, 'Abc' is not 'abc'.
-- Times are UTC (hibernate.jdbc.time_zone).
-- DATETIME, not TIMESTAMP: no 2038 limit and no implicit ON UPDATE defaults on MariaDB.

CREATE TABLE transcript_session (
    id          VARCHAR(64)  NOT NULL,
    user_id     VARCHAR(128) NOT NULL,
    node_id     VARCHAR(100) NOT NULL,
    reply_topic VARCHAR(255) NOT NULL,
    format      VARCHAR(16),
    sample_rate INT          NOT NULL,
    language    VARCHAR(32),
    engine      VARCHAR(32),
    status      VARCHAR(16)  NOT NULL,
    segments    INT          NOT NULL DEFAULT 0,
    error_code  VARCHAR(64),
    started_at  DATETIME(3)  NOT NULL,
    ended_at    DATETIME(3),
    updated_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_transcript_session_status CHECK (status IN ('STARTED', 'COMPLETED', 'FAILED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- History is read per user.
CREATE INDEX ix_transcript_session_user ON transcript_session (user_id);

-- A final's identity is (session_id, seg_index): a replay overwrites its row, it never adds one.
CREATE TABLE transcript_segment (
    session_id VARCHAR(64) NOT NULL,
    seg_index  INT         NOT NULL,
    text       TEXT        NOT NULL,
    start_ms   BIGINT      NOT NULL,
    end_ms     BIGINT      NOT NULL,
    engine     VARCHAR(32),
    stored_at  DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (session_id, seg_index),
    CONSTRAINT fk_transcript_segment_session FOREIGN KEY (session_id)
        REFERENCES transcript_session (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
