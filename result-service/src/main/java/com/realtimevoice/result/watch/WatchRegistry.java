package com.realtimevoice.result.watch;

import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Route;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The one owner of live-caption state in result-service: which ingest nodes watch which session (to deliver its
 * results there too) and each session's watch-token epoch. The database is the truth; the per-session set of
 * watching nodes is cached, least recently used evicted, because every result of every session asks for it and
 * almost no session has watchers. Only the intake (one thread per partition, all of a session's events on one
 * partition) adds nodes; the cache is cleared when partitions are assigned, since another instance may have
 * registered nodes while it held them.
 */
@Component
public class WatchRegistry {

    private final JdbcTemplate jdbc;
    private final Map<String, Set<Route>> nodes;

    @org.springframework.beans.factory.annotation.Autowired
    WatchRegistry(JdbcTemplate jdbc, ResultServiceProperties properties) {
        this(jdbc, properties.routeCacheSize());
    }

    WatchRegistry(JdbcTemplate jdbc, int maxSize) {
        this.jdbc = jdbc;
        this.nodes = new LinkedHashMap<>(Math.min(maxSize, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<Route>> eldest) {
                return size() > maxSize;
            }
        };
    }

    /** The nodes watching the session (empty for nearly all sessions). */
    public Set<Route> watchingNodes(String sessionId) {
        synchronized (nodes) {
            Set<Route> cached = nodes.get(sessionId);
            if (cached != null) {
                return cached;
            }
        }
        List<Route> stored = jdbc.query(
                "SELECT node_id, reply_topic FROM session_watch_node WHERE session_id = ?",
                (rs, n) -> new Route(rs.getString(1), rs.getString(2)),
                sessionId);
        Set<Route> found = Set.copyOf(stored);
        synchronized (nodes) {
            nodes.put(sessionId, found);
        }
        return found;
    }

    /** A new session: nobody can watch it yet (a watch token needs it stored), so no lookup is needed. */
    public void sessionStarted(String sessionId) {
        synchronized (nodes) {
            nodes.putIfAbsent(sessionId, Set.of());
        }
    }

    /**
     * Adds the node to the session's watchers (idempotent); false if the session is not stored (deleted, or never
     * was), in which case nothing is registered.
     */
    public boolean register(String sessionId, Route node) {
        Integer stored =
                jdbc.queryForObject("SELECT COUNT(*) FROM transcript_session WHERE id = ?", Integer.class, sessionId);
        if (stored == null || stored == 0) {
            return false;
        }
        Timestamp now = Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC));
        try {
            jdbc.update("""
                    INSERT INTO session_watch_node (session_id, node_id, reply_topic, joined_at) VALUES (?, ?, ?, ?)
                    ON DUPLICATE KEY UPDATE reply_topic = VALUES(reply_topic), joined_at = VALUES(joined_at)
                    """, sessionId, node.nodeId(), node.replyTopic(), now);
        } catch (org.springframework.dao.DataIntegrityViolationException e) {
            return false; // deleted meanwhile (the foreign key)
        } finally {
            synchronized (nodes) {
                nodes.remove(sessionId); // read back with the new node on next use
            }
        }
        return true;
    }

    /** A node whose topic cannot be reached any more: its results stop going there (a new watcher registers it again). */
    public void forget(String sessionId, String replyTopic) {
        jdbc.update("DELETE FROM session_watch_node WHERE session_id = ? AND reply_topic = ?", sessionId, replyTopic);
        synchronized (nodes) {
            nodes.remove(sessionId);
        }
    }

    /** After a rebalance: what another instance registered meanwhile is read back from the database. */
    public void clearCache() {
        synchronized (nodes) {
            nodes.clear();
        }
    }

    /** The session's owner and watch epoch, if it is stored. */
    public Optional<Grant> grant(String sessionId) {
        return jdbc
                .query(
                        "SELECT user_id, watch_epoch FROM transcript_session WHERE id = ?",
                        (rs, n) -> new Grant(rs.getString(1), rs.getInt(2)),
                        sessionId)
                .stream()
                .findFirst();
    }

    /** Revokes every watch token of the session: its epoch moves on. Returns the new epoch. */
    public int revoke(String sessionId) {
        jdbc.update("UPDATE transcript_session SET watch_epoch = watch_epoch + 1 WHERE id = ?", sessionId);
        return grant(sessionId).map(Grant::epoch).orElse(0);
    }

    /** Who owns a session, and the epoch its watch tokens are issued under. */
    public record Grant(String userId, int epoch) {}
}
