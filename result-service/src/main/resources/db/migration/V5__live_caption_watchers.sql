-- Live captions (issue 23). watch_epoch: watch tokens carry the epoch they were issued under; revoking them all
-- (DELETE /api/sessions/{id}/watchers) increments it, and tokens of an older epoch are refused.
ALTER TABLE transcript_session ADD COLUMN watch_epoch INT NOT NULL DEFAULT 0;

-- The ingest nodes that hold watchers of a session: its results are delivered to each of them (once per node,
-- whatever its watcher count) as well as to the speaker's node. Kept here, not on the nodes, so that it survives
-- a result service's restart; a node that is gone stays listed until its session is deleted (its topic stays too).
CREATE TABLE session_watch_node (
    session_id  VARCHAR(64)  NOT NULL,
    node_id     VARCHAR(100) NOT NULL,
    reply_topic VARCHAR(255) NOT NULL,
    joined_at   DATETIME(3)  NOT NULL,
    PRIMARY KEY (session_id, node_id),
    CONSTRAINT fk_session_watch_node_session FOREIGN KEY (session_id)
        REFERENCES transcript_session (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
