package com.realtimevoice.ingest.stream;

import com.realtimevoice.ingest.config.IngestProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Every open WebSocket on this node, with per-user session counts, and the heartbeat that keeps quiet
 * sockets alive through proxies with a 60-second idle timeout.
 */
@Component
public class StreamSessions {

    private final Map<String, StreamConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, Integer> activeByUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> socketsByUser = new ConcurrentHashMap<>();
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final TaskScheduler scheduler;
    private final IngestProperties properties;
    private ScheduledFuture<?> heartbeat;

    StreamSessions(TaskScheduler scheduler, IngestProperties properties, MeterRegistry meters) {
        this.scheduler = scheduler;
        this.properties = properties;
        Gauge.builder("ingest.connections", connections, Map::size)
                .description("Open WebSocket connections")
                .register(meters);
        Gauge.builder("ingest.sessions.active", activeSessions, AtomicInteger::get)
                .description("Recognition sessions in progress")
                .register(meters);
    }

    @PostConstruct
    void startHeartbeat() {
        heartbeat = scheduler.scheduleAtFixedRate(this::pingAll, properties.heartbeatInterval());
    }

    @PreDestroy
    void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    void add(StreamConnection connection) {
        connections.put(connection.id(), connection);
    }

    void remove(StreamConnection connection) {
        connections.remove(connection.id());
    }

    void forEach(java.util.function.Consumer<StreamConnection> action) {
        connections.values().forEach(action);
    }

    public int connectionCount() {
        return connections.size();
    }

    /**
     * Claims one of the user's concurrent-session slots (streams and {@code /recognize} uploads alike); false when
     * the user is at the limit.
     */
    public boolean tryAcquireSession(String userId) {
        if (!tryIncrement(activeByUser, userId, properties.limits().maxSessionsPerUser())) {
            return false;
        }
        activeSessions.incrementAndGet();
        return true;
    }

    public void releaseSession(String userId) {
        decrement(activeByUser, userId);
        activeSessions.decrementAndGet();
    }

    /** Counts an authenticated socket of the user; false when the user holds the maximum already. */
    boolean tryAddSocket(String userId) {
        return tryIncrement(socketsByUser, userId, properties.limits().maxSocketsPerUser());
    }

    void removeSocket(String userId) {
        decrement(socketsByUser, userId);
    }

    /** Atomic per key, so a count never goes to an entry that a concurrent release has just removed. */
    private static boolean tryIncrement(Map<String, Integer> counts, String userId, int limit) {
        boolean[] claimed = {false};
        counts.compute(userId, (u, c) -> {
            int n = c == null ? 0 : c;
            if (n >= limit) {
                return c;
            }
            claimed[0] = true;
            return n + 1;
        });
        return claimed[0];
    }

    private static void decrement(Map<String, Integer> counts, String userId) {
        counts.computeIfPresent(userId, (u, c) -> c <= 1 ? null : c - 1);
    }

    private void pingAll() {
        for (StreamConnection c : connections.values()) {
            try {
                c.ping(); // never blocks this (shared) thread: see StreamConnection
            } catch (IllegalStateException e) {
                // A dead socket; Tomcat reports the close through the handler.
            }
        }
    }
}
