package com.realtimevoice.ingest.watch;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchJoined;
import com.realtimevoice.events.WatchRevoked;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.stream.StreamConnection;
import com.realtimevoice.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Every session watched on this node (the one owner of watch state here). The first local watcher of a session
 * registers this node with result-service ({@link WatchJoined} on the transcripts topic, in order with the session's
 * results); from then on the session's results reach this node once, on its own delivery topic, and are fanned out
 * here to its watchers. When the last local watcher leaves the session is forgotten here; result-service may go on
 * sending its results until it ends (they are dropped), and a new watcher registers again and catches up afresh.
 */
@Component
public class WatchHub {

    private static final Logger log = LoggerFactory.getLogger(WatchHub.class);

    private final Map<String, WatchedSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, StreamConnection> sockets = new ConcurrentHashMap<>();
    private final AtomicInteger watchers = new AtomicInteger();
    private final KafkaTemplate<String, byte[]> kafka;
    private final IngestNode node;
    private final WatchProperties limits;
    private final TaskScheduler scheduler;
    private final IngestProperties ingest;
    private final MeterRegistry meters;
    private final Counter joins;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> stallSweep;

    WatchHub(
            KafkaTemplate<String, byte[]> kafka,
            IngestNode node,
            WatchProperties limits,
            TaskScheduler scheduler,
            IngestProperties ingest,
            MeterRegistry meters) {
        this.kafka = kafka;
        this.node = node;
        this.limits = limits;
        this.scheduler = scheduler;
        this.ingest = ingest;
        this.meters = meters;
        this.joins = Counter.builder("ingest.watch.joins")
                .description("Watchers admitted on this node")
                .register(meters);
        Gauge.builder("ingest.watch.sockets", watchers, AtomicInteger::get)
                .description("Open watch sockets on this node")
                .register(meters);
        Gauge.builder("ingest.watch.sessions", sessions, Map::size)
                .description("Sessions watched on this node")
                .register(meters);
    }

    /** Quiet watch sockets are kept alive through proxies like the speakers' (INGEST_HEARTBEAT_INTERVAL). */
    @PostConstruct
    void startHeartbeat() {
        heartbeat = scheduler.scheduleAtFixedRate(
                () -> sockets.values().forEach(StreamConnection::ping), ingest.heartbeatInterval());
        // a watcher whose write has waited past INGEST_SEND_TIME_LIMIT is dropped even when nothing more is sent to it,
        // and one that answers no ping within INGEST_PONG_TIMEOUT
        stallSweep = scheduler.scheduleAtFixedRate(
                () -> {
                    long now = System.nanoTime();
                    long nowMs = System.currentTimeMillis();
                    long pongTimeoutMs = ingest.pongTimeout().toMillis();
                    sockets.values().forEach(c -> {
                        if (c.stalled(now)) {
                            meters.counter("ingest.watch.dropped", "reason", "slow")
                                    .increment();
                            c.dropSlowReader();
                        } else if (c.unanswered(nowMs, pongTimeoutMs)) {
                            meters.counter("ingest.watch.dropped", "reason", "no_pong")
                                    .increment();
                            c.dropUnanswering(pongTimeoutMs);
                        }
                    });
                },
                java.time.Duration.ofSeconds(1));
    }

    @PreDestroy
    void stop() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (stallSweep != null) {
            stallSweep.cancel(false);
        }
        sockets.values().forEach(c -> c.closeAtOnce(new CloseStatus(1001, "server shutting down")));
    }

    /**
     * A watcher whose token was checked at the handshake. Refused with OVERLOADED (close 1013) past this node's
     * limits; otherwise it gets the finals after {@code lastIndex}, then everything live.
     */
    void join(StreamConnection connection, WatchTokens.Claims claims, int lastIndex) {
        if (watchers.incrementAndGet() > limits.maxSockets()) {
            watchers.decrementAndGet();
            refuse(
                    connection,
                    "sockets",
                    "this node holds its maximum of " + limits.maxSockets()
                            + " watch sockets (INGEST_MAX_WATCH_SOCKETS); try again later or another node");
            return;
        }
        sockets.put(connection.id(), connection);
        Watcher watcher = new Watcher(connection, claims.epoch(), lastIndex);
        boolean[] created = {false};
        boolean[] full = {false};
        sessions.compute(claims.sessionId(), (id, session) -> {
            if (session == null) {
                session = new WatchedSession(id);
                created[0] = true;
            }
            if (session.size() >= limits.maxWatchersPerSession()) {
                full[0] = true;
                return session.isEmpty() ? null : session;
            }
            session.add(watcher);
            return session;
        });
        if (full[0]) {
            sockets.remove(connection.id());
            watchers.decrementAndGet();
            refuse(
                    connection,
                    "session_full",
                    "this session has its maximum of " + limits.maxWatchersPerSession()
                            + " watchers (MAX_WATCHERS_PER_SESSION)");
            return;
        }
        joins.increment();
        if (created[0]) {
            register(claims.sessionId());
        }
    }

    /** The socket closed (client, error, or a close of ours). */
    void leave(String sessionId, String connectionId) {
        if (sockets.remove(connectionId) == null) {
            return;
        }
        watchers.decrementAndGet();
        sessions.computeIfPresent(sessionId, (id, session) -> {
            session.remove(connectionId);
            return session.isEmpty() ? null : session;
        });
    }

    /** Tells result-service that this node watches the session; if the broker will not take it, its watchers are told. */
    private void register(String sessionId) {
        WatchJoined joined =
                new WatchJoined(sessionId, node.nodeId(), node.deliveryTopic(), System.currentTimeMillis());
        kafka.send(EventRecords.toRecord(Topics.TRANSCRIPTS, joined)).whenComplete((sent, failure) -> {
            if (failure != null) {
                log.warn("could not register watchers of session {}: {}", sessionId, failure.toString());
                WatchedSession session = sessions.remove(sessionId);
                if (session != null) {
                    session.unavailable("live captions are unavailable right now (the message broker did not answer); "
                            + "reconnect to try again");
                }
            }
        });
    }

    /**
     * A result or watch event from this node's delivery topic. Returns whether watchers here took it (the delivery
     * listener counts a result no socket took).
     */
    public boolean onEvent(PipelineEvent event) {
        WatchedSession session = sessions.get(event.sessionId());
        if (session == null) {
            return false;
        }
        if (event instanceof TranscriptFinal f) {
            session.onFinal(f);
        } else if (event instanceof TranscriptPartial p) {
            session.onPartial(p);
        } else if (event instanceof SessionCompleted c) {
            session.onCompleted(c);
        } else if (event instanceof SessionFailed f) {
            session.onFailed(f);
        } else if (event instanceof WatchSynced s) {
            session.synced(s);
        } else if (event instanceof WatchRevoked r) {
            int closed = session.revoked(r.epoch());
            meters.counter("ingest.watch.revoked").increment(closed);
        } else {
            return false;
        }
        return true;
    }

    private void refuse(StreamConnection connection, String reason, String message) {
        meters.counter("ingest.watch.refused", "reason", reason).increment();
        connection.sendError(ErrorCode.OVERLOADED, message);
    }

    int watcherCount() {
        return watchers.get();
    }
}
