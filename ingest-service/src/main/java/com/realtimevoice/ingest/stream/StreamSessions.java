package com.realtimevoice.ingest.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import com.realtimevoice.ingest.config.IngestProperties;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.PingMessage;

/**
 * Every open WebSocket on this node, with per-user session counts, and the heartbeat that keeps quiet
 * sockets alive through proxies with a 60-second idle timeout.
 */
@Component
public class StreamSessions {

    private final Map<String, StreamConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> activeByUser = new ConcurrentHashMap<>();
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final TaskScheduler scheduler;
    private final IngestProperties properties;
    private ScheduledFuture<?> heartbeat;

    StreamSessions(TaskScheduler scheduler, IngestProperties properties, MeterRegistry meters) {
        this.scheduler = scheduler;
        this.properties = properties;
        Gauge.builder("ingest.connections", connections, Map::size).description("Open WebSocket connections").register(meters);
        Gauge.builder("ingest.sessions.active", activeSessions, AtomicInteger::get).description("Recognition sessions in progress")
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

    /** Claims one of the user's concurrent-session slots; false when the user is at the limit. */
    boolean tryAcquireSession(String userId) {
        AtomicInteger count = activeByUser.computeIfAbsent(userId, u -> new AtomicInteger());
        if (count.incrementAndGet() > properties.limits().maxSessionsPerUser()) {
            count.decrementAndGet();
            return false;
        }
        activeSessions.incrementAndGet();
        return true;
    }

    void releaseSession(String userId) {
        activeByUser.computeIfPresent(userId, (u, c) -> c.decrementAndGet() <= 0 ? null : c);
        activeSessions.decrementAndGet();
    }

    private void pingAll() {
        for (StreamConnection c : connections.values()) {
            try {
                c.socket().sendMessage(new PingMessage(ByteBuffer.allocate(0)));
            } catch (IOException | IllegalStateException e) {
                // A dead socket; Tomcat reports the close through the handler.
            }
        }
    }
}
