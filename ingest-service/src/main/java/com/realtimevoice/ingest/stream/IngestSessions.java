package com.realtimevoice.ingest.stream;

import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.ingest.config.IngestProperties;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * Owns every {@link IngestSession} of this node: the open ones (one per stream socket) and the dropped ones waiting
 * for a resume; runs their once-a-second limit sweep and the batched acks, and at shutdown tells every client to
 * move. Per-user counts and the heartbeat stay in {@link StreamSessions}, which {@code /recognize} shares.
 */
@Component
class IngestSessions implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(IngestSessions.class);
    private static final int MAX_END_ATTEMPTS = 10;
    private static final Duration END_RETRY_DELAY = Duration.ofSeconds(5);

    private final SessionServices services;
    private final TaskScheduler scheduler;
    private final Map<String, IngestSession> open = new ConcurrentHashMap<>();
    /**
     * Sessions whose client dropped, waiting for a resume: the end to publish when the window closes, and the session
     * as it was (its audio budget goes on if it is resumed here).
     */
    private final Map<String, Dropped> dropped = new ConcurrentHashMap<>();

    private volatile boolean shuttingDown;
    private volatile boolean running;
    private ScheduledFuture<?> limitsSweep;
    private ScheduledFuture<?> ackFlush;

    IngestSessions(SessionServices services, TaskScheduler scheduler) {
        this.services = services;
        this.scheduler = scheduler;
    }

    /** A new stream socket: its session, not yet authenticated. */
    IngestSession open(WebSocketSession socket) {
        IngestProperties.Limits limits = services.limits();
        StreamConnection connection = new StreamConnection(socket, limits.sendTimeLimit(), limits.sendBufferBytes());
        IngestSession session = new IngestSession(connection, this, services);
        services.counts().add(connection);
        open.put(connection.id(), session);
        return session;
    }

    /** The socket closed: forgotten here, and its session torn down (kept for a resume if it was not ending). */
    void closed(IngestSession session) {
        services.counts().remove(session.connection());
        open.remove(session.connection().id());
        session.closed(shuttingDown);
    }

    /**
     * The client may come back (network cut, app in the background, a broker outage) on any node: keep the session
     * for the resume window, then end it so the worker finalises what was said and frees the recognizer. The end
     * names this node, so it is ignored if the session has meanwhile been resumed elsewhere. Armed again whenever a
     * resume of it does not go through, so every dropped session is ended by some timer.
     */
    void awaitResume(ActiveSession session) {
        String id = session.sessionId();
        ScheduledFuture<?> end = scheduler.schedule(
                () -> {
                    if (dropped.remove(id) != null) {
                        publishEnd(session, "abandoned", 0);
                    }
                },
                Instant.now().plus(services.properties().reliability().resumeWindow()));
        Dropped previous = dropped.put(id, new Dropped(session, end));
        if (previous != null) {
            previous.end().cancel(false);
        }
    }

    /** The dropped session of that id, no longer to be ended by its timer (it is being resumed); null if none here. */
    ActiveSession takeDropped(String sessionId) {
        Dropped d = dropped.remove(sessionId);
        if (d == null) {
            return null;
        }
        d.end().cancel(false);
        return d.session();
    }

    /** A dropped session waiting for its resume, and the timer that ends it if none comes. */
    private record Dropped(ActiveSession session, ScheduledFuture<?> end) {}

    /** Ends a session on the audio topic (the worker finishes its segments); see the attempt-counting overload. */
    void publishEnd(ActiveSession session, String reason) {
        publishEnd(session, reason, 0);
    }

    /**
     * Publishes a session's end without holding the caller: during a broker outage the producer keeps it (in order
     * after the session's audio) until the broker is back. If even that fails (an outage longer than the producer's
     * delivery timeout), it is tried again, so a session ended by a timer is never left open.
     */
    private void publishEnd(ActiveSession session, String reason, int attempt) {
        services.publisher()
                .publishUrgent(new SessionEnded(
                        session.sessionId(),
                        session.lastSeq(),
                        session.bytes(),
                        reason,
                        System.currentTimeMillis(),
                        services.node().nodeId()))
                .whenComplete((r, failure) -> {
                    if (failure != null && attempt < MAX_END_ATTEMPTS && !shuttingDown) {
                        log.warn(
                                "the end of session {} was not accepted by Kafka ({}); trying again",
                                session.sessionId(),
                                failure.getMessage());
                        scheduler.schedule(
                                () -> publishEnd(session, reason, attempt + 1),
                                Instant.now().plus(END_RETRY_DELAY));
                    }
                });
    }

    /**
     * Once a second: connections that never authenticated, tokens that expired, sessions past their maximum
     * duration or without audio for the idle timeout. Acks go out once per ack interval.
     */
    @PostConstruct
    void scheduleLimits() {
        limitsSweep = scheduler.scheduleAtFixedRate(
                () -> open.values().forEach(IngestSession::enforceLimits), Duration.ofSeconds(1));
        ackFlush = scheduler.scheduleAtFixedRate(
                () -> open.values().forEach(IngestSession::flushAck),
                services.properties().reliability().ackInterval());
    }

    @PreDestroy
    void cancelLimits() {
        if (limitsSweep != null) {
            limitsSweep.cancel(false);
        }
        if (ackFlush != null) {
            ackFlush.cancel(false);
        }
    }

    /**
     * Shutting down: every client is told to reconnect, with close code 1012 (service restart), and resumes its
     * session on another node; no session is ended here, so none is cut short.
     */
    @Override
    public void stop() {
        shuttingDown = true;
        services.counts().forEach(c -> c.closeAtOnce(new CloseStatus(1012, "server restarting: reconnect and resume")));
        running = false;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server drains, so clients are told to move rather than waited for. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
