package com.realtimevoice.ingest.stream;

import java.nio.ByteBuffer;
import java.util.UUID;

import com.realtimevoice.auth.InvalidTokenException;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.pipeline.AudioPublisher;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import com.realtimevoice.ingest.pipeline.ResultSink;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * The streaming contract (docs/protocol.md): JSON control frames and binary PCM in, started / partial /
 * final / completed / error / pong out. Audio goes to Kafka stamped with seq and byte offset; results come
 * back through this node's delivery topic.
 */
@Component
class StreamWebSocketHandler extends AbstractWebSocketHandler implements org.springframework.context.SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamWebSocketHandler.class);
    private static final String CONNECTION = "rv.connection";

    private final TokenService tokens;
    private final AudioPublisher publisher;
    private final LocalSessions localSessions;
    private final StreamSessions sessions;
    private final IngestNode node;
    private final IngestProperties properties;
    private final MeterRegistry meters;
    private final Counter chunks;
    private final Counter audioBytes;
    private final org.springframework.scheduling.TaskScheduler scheduler;
    private final ResumeTokens resumeTokens;
    private java.util.concurrent.ScheduledFuture<?> limitsSweep;
    private java.util.concurrent.ScheduledFuture<?> ackFlush;
    /**
     * Sessions whose client dropped, waiting for a resume: the end to publish when the window closes, and the session
     * as it was (its audio budget goes on if it is resumed here).
     */
    private final java.util.Map<String, Dropped> abandoned = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private volatile boolean running;

    /** What of a start's hotwords and output controls is in effect, told in {@code started}. */
    private final EffectiveOptions effectiveOptions;

    StreamWebSocketHandler(TokenService tokens, AudioPublisher publisher, LocalSessions localSessions, StreamSessions sessions,
                           IngestNode node, IngestProperties properties, MeterRegistry meters,
                           org.springframework.scheduling.TaskScheduler scheduler, ResumeTokens resumeTokens,
                           EffectiveOptions effectiveOptions) {
        this.effectiveOptions = effectiveOptions;
        this.scheduler = scheduler;
        this.resumeTokens = resumeTokens;
        this.tokens = tokens;
        this.publisher = publisher;
        this.localSessions = localSessions;
        this.sessions = sessions;
        this.node = node;
        this.properties = properties;
        this.meters = meters;
        this.chunks = meters.counter("ingest.audio.chunks");
        this.audioBytes = meters.counter("ingest.audio.bytes");
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        IngestProperties.Limits limits = properties.limits();
        StreamConnection connection = new StreamConnection(raw, limits.sendTimeLimit(), limits.sendBufferBytes());
        raw.getAttributes().put(CONNECTION, connection);
        sessions.add(connection);
        // removed, not just read: an idle socket should not keep a copy of its token for hours
        String handshakeToken = (String) raw.getAttributes().remove(TokenHandshakeInterceptor.TOKEN_ATTRIBUTE);
        if (handshakeToken != null) {
            authenticate(connection, handshakeToken);
        }
    }

    /** An unexpected failure answers the contract's INTERNAL error instead of a bare close; other sessions go on. */
    @Override
    public void handleMessage(WebSocketSession raw, org.springframework.web.socket.WebSocketMessage<?> message) throws Exception {
        try {
            StreamConnection connection = connection(raw);
            IngestProperties.Limits limits = properties.limits();
            Object whole = connection.assembler().add(message, limits.maxFrameBytes(), limits.maxTextBytes());
            if (whole instanceof MessageAssembler.Oversized over) {
                error(connection, ErrorCode.TOO_LARGE, over.text()
                        ? "text frame of " + over.bytesSoFar() + "+ bytes exceeds the limit of " + limits.maxTextBytes()
                        : "audio frame of " + over.bytesSoFar() + "+ bytes exceeds the limit of " + limits.maxFrameBytes()
                                + " (1 s of 16 kHz PCM is 32000 bytes)");
            } else if (whole != null) {
                super.handleMessage(raw, (org.springframework.web.socket.WebSocketMessage<?>) whole);
            }
        } catch (RuntimeException e) {
            log.error("unexpected failure handling a frame on {}", raw.getId(), e);
            error(connection(raw), ErrorCode.INTERNAL, "internal error; the session cannot go on");
        }
    }

    /** The container's buffers stay small for idle sockets; larger messages come in parts (MessageAssembler). */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    protected void handleTextMessage(WebSocketSession raw, TextMessage message) {
        StreamConnection connection = connection(raw);
        int perSecond = connection.countControlMessage(System.currentTimeMillis());
        int limit = properties.limits().maxControlMessagesPerSecond();
        if (perSecond > limit) {
            // A flood: refuse the frame; one that keeps going after being told is cut off.
            if (perSecond == limit + 1) {
                error(connection, ErrorCode.RATE_LIMITED, "more than " + limit + " text messages per second");
            } else if (perSecond > limit * 5) {
                meters.counter("ingest.errors", "code", ErrorCode.RATE_LIMITED.name()).increment();
                connection.close(CloseStatus.POLICY_VIOLATION.withReason("message flood"));
            }
            return;
        }
        if (message.getPayloadLength() > properties.limits().maxTextBytes()) {
            error(connection, ErrorCode.TOO_LARGE, "text frame of " + message.getPayloadLength() + " bytes exceeds the limit of "
                    + properties.limits().maxTextBytes());
            return;
        }
        ClientMessage parsed = ProtocolCodec.parseClient(message.getPayload());
        if (parsed instanceof ClientMessage.Ping) {
            connection.send(new ServerMessage.Pong());
        } else if (parsed instanceof ClientMessage.Start start) {
            start(connection, start);
        } else if (parsed instanceof ClientMessage.End) {
            end(connection);
        } else if (parsed instanceof ClientMessage.Flush) {
            flush(connection);
        } else if (parsed instanceof ClientMessage.Resume resume) {
            resume(connection, resume);
        } else if (parsed instanceof ClientMessage.Malformed bad) {
            error(connection, ErrorCode.BAD_REQUEST, bad.reason());
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession raw, BinaryMessage message) {
        StreamConnection connection = connection(raw);
        ActiveSession session = connection.session();
        int length = message.getPayloadLength();
        if (connection.userId() == null) {
            error(connection, ErrorCode.UNAUTHORIZED, "no valid token: send one before any audio");
            return;
        }
        if (length > properties.limits().maxFrameBytes()) {
            error(connection, ErrorCode.TOO_LARGE, "audio frame of " + length + " bytes exceeds the limit of "
                    + properties.limits().maxFrameBytes() + " (1 s of 16 kHz PCM is 32000 bytes)");
            return;
        }
        if (session == null) {
            error(connection, ErrorCode.BAD_REQUEST, "audio before start: send {\"type\":\"start\"} first");
            return;
        }
        if (session.ending()) {
            error(connection, ErrorCode.BAD_REQUEST, "audio after end: the session no longer takes audio");
            return;
        }
        if (length == 0) {
            error(connection, ErrorCode.BAD_REQUEST, "empty audio frame");
            return;
        }
        int alignment = StreamFormat.frameAlignment(session.format());
        if (length % alignment != 0) {
            error(connection, ErrorCode.BAD_REQUEST, alignment == 2 ? "16-bit PCM frames must have an even number of bytes, got " + length
                    : "16-bit PCM frames of " + alignment / 2 + " channels must be a multiple of " + alignment + " bytes, got " + length);
            return;
        }
        IngestProperties.Limits limits = properties.limits();
        if (session.wouldExceed(length, limits.maxAudioSpeed(), limits.audioBurst(), System.currentTimeMillis())) {
            error(connection, ErrorCode.RATE_LIMITED, "audio arrives faster than " + limits.maxAudioSpeed()
                    + " times real time; send it at the pace it is recorded");
            connection.close(CloseStatus.POLICY_VIOLATION.withReason("audio too fast"));
            return;
        }
        long maxUnacked = properties.reliability().maxUnackedAudio().toMillis()
                * StreamFormat.bytesPerSecond(session.format(), session.sampleRate()) / 1000;
        ActiveSession.Admission admission = publisher.hasRoomFor(length) ? session.admit(length, maxUnacked)
                : ActiveSession.Admission.REFUSED;
        if (admission != ActiveSession.Admission.ACCEPTED) {
            // Kafka is behind or away (up to INGEST_MAX_UNACKED_AUDIO is buffered meanwhile): hold the client back
            // rather than buffer without bound. Each refused chunk is answered, the socket stays open; nothing acked
            // is lost, and the client re-sends from the chunk after its last ack once acks flow again.
            meters.counter("ingest.audio.refused").increment();
            warn(connection, ErrorCode.OVERLOADED, "audio chunk refused: " + properties.reliability().maxUnackedAudio().toSeconds()
                    + " s of audio are not acknowledged by the message broker yet; pause, and re-send from the chunk after "
                    + "the last ack when acks resume");
            return;
        }
        ByteBuffer payload = message.getPayload();
        byte[] audio = new byte[length];
        payload.get(audio);
        long[] stamp = session.stamp(length);
        AudioChunk chunk = new AudioChunk(session.sessionId(), stamp[0], stamp[1], session.format(), session.sampleRate(),
                System.currentTimeMillis(), audio);
        publisher.publish(chunk).whenComplete((result, failure) -> {
            if (failure != null) {
                // Never acked, so the client still has it: it can resume (here or elsewhere) and re-send from the last ack.
                log.warn("audio chunk {} of session {} was not accepted by Kafka: {}", stamp[0], session.sessionId(), failure.getMessage());
                error(connection, ErrorCode.OVERLOADED, "audio could not be queued for recognition; resume and re-send from the last ack");
            } else {
                session.acknowledged(stamp[0], length);
            }
        });
        chunks.increment();
        audioBytes.increment(length);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession raw, CloseStatus status) {
        StreamConnection connection = (StreamConnection) raw.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        sessions.remove(connection);
        String user = connection.markClosed();
        if (user != null) {
            sessions.removeSocket(user);
        }
        ActiveSession session = connection.session();
        if (session != null && connection.finish(session.sessionId())) {
            localSessions.unregister(session.sessionId());
            sessions.releaseSession(session.userId());
            if (!session.ending() && !shuttingDown) {
                awaitResume(session);
            }
        }
    }

    /**
     * The client may come back (network cut, app in the background, a broker outage) on any node: keep the session
     * for the resume window, then end it so the worker finalises what was said and frees the recognizer. The end
     * names this node, so it is ignored if the session has meanwhile been resumed elsewhere. Armed again whenever a
     * resume of it does not go through, so every dropped session is ended by some timer.
     */
    private void awaitResume(ActiveSession session) {
        String id = session.sessionId();
        java.util.concurrent.ScheduledFuture<?> end = scheduler.schedule(() -> {
            if (abandoned.remove(id) != null) {
                publishEnd(session, "abandoned", 0);
            }
        }, java.time.Instant.now().plus(properties.reliability().resumeWindow()));
        Dropped previous = abandoned.put(id, new Dropped(session, end));
        if (previous != null) {
            previous.end().cancel(false);
        }
    }

    /** A dropped session waiting for its resume, and the timer that ends it if none comes. */
    private record Dropped(ActiveSession session, java.util.concurrent.ScheduledFuture<?> end) {
    }

    /**
     * Publishes a session's end without holding the caller: during a broker outage the producer keeps it (in order
     * after the session's audio) until the broker is back. If even that fails (an outage longer than the producer's
     * delivery timeout), it is tried again, so a session ended by a timer is never left open.
     */
    private void publishEnd(ActiveSession session, String reason, int attempt) {
        publisher.publishUrgent(new SessionEnded(session.sessionId(), session.lastSeq(), session.bytes(), reason,
                System.currentTimeMillis(), node.nodeId())).whenComplete((r, failure) -> {
                    if (failure != null && attempt < MAX_END_ATTEMPTS && !shuttingDown) {
                        log.warn("the end of session {} was not accepted by Kafka ({}); trying again", session.sessionId(),
                                failure.getMessage());
                        scheduler.schedule(() -> publishEnd(session, reason, attempt + 1),
                                java.time.Instant.now().plus(END_RETRY_DELAY));
                    }
                });
    }

    private static final int MAX_END_ATTEMPTS = 10;
    private static final java.time.Duration END_RETRY_DELAY = java.time.Duration.ofSeconds(5);

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("transport error on {}: {}", session.getId(), exception.getMessage());
    }

    /**
     * Checks a token and makes its subject the connection's user; false (and the connection closed) if it is not
     * valid, or if the user already holds {@code INGEST_MAX_SOCKETS_PER_USER} sockets.
     */
    private boolean authenticate(StreamConnection connection, String token) {
        com.realtimevoice.auth.VerifiedToken verified;
        try {
            verified = tokens.verify(token);
        } catch (InvalidTokenException e) {
            error(connection, ErrorCode.UNAUTHORIZED, e.getMessage());
            return false;
        }
        if (verified.expiresAt() != null && !verified.expiresAt().isAfter(java.time.Instant.now())) {
            // Inside the verifier's clock-skew leeway but expired by this node's clock: refused now, with the reason,
            // rather than admitted and closed with TOKEN_EXPIRED a moment later.
            error(connection, ErrorCode.UNAUTHORIZED, "the token expired at " + verified.expiresAt() + "; get a new one");
            return false;
        }
        String previous = connection.userId();
        if (verified.userId().equals(previous)) {
            connection.authenticate(verified.userId(), verified.expiresAt());
            return true;
        }
        if (!sessions.tryAddSocket(verified.userId())) {
            meters.counter("ingest.errors", "code", ErrorCode.RATE_LIMITED.name()).increment();
            connection.send(new ServerMessage.Error(ErrorCode.RATE_LIMITED, "too many open connections for this user (limit "
                    + properties.limits().maxSocketsPerUser() + "); close one first"));
            connection.close(CloseStatus.POLICY_VIOLATION.withReason("too many connections"));
            return false;
        }
        if (!connection.authenticate(verified.userId(), verified.expiresAt())) {
            sessions.removeSocket(verified.userId()); // closed meanwhile
            return false;
        }
        if (previous != null) {
            sessions.removeSocket(previous);
        }
        return true;
    }

    private void start(StreamConnection connection, ClientMessage.Start start) {
        // A bad token here refuses the start even when the upgrade request carried a good one (and closes the socket).
        if (start.token() != null && !authenticate(connection, start.token())) {
            return;
        }
        String userId = connection.userId();
        if (userId == null) {
            error(connection, ErrorCode.UNAUTHORIZED, "a token is required: Authorization: Bearer header, ?token= or the start message's token");
            return;
        }
        if (connection.session() != null) {
            error(connection, ErrorCode.BAD_REQUEST, "a session is already running on this connection; send end first");
            return;
        }
        // pcm (mono, or channels 2) at any common rate, or mp3; the worker converts (StreamFormat says why there)
        String unsupported = StreamFormat.unsupported(start.format(), start.sampleRate());
        if (unsupported != null) {
            error(connection, ErrorCode.UNSUPPORTED_FORMAT, unsupported);
            return;
        }
        if (!sessions.tryAcquireSession(userId)) {
            error(connection, ErrorCode.RATE_LIMITED, "too many concurrent sessions for this user (limit "
                    + properties.limits().maxSessionsPerUser() + ")");
            return;
        }
        String sessionId = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        ActiveSession session = new ActiveSession(sessionId, userId,
                resumeTokens.issue(new ResumeTokens.Claims(sessionId, userId, start.format(), start.sampleRate(), now)),
                start.format(), start.sampleRate(), now);
        if (!connection.begin(session)) {
            sessions.releaseSession(userId); // the socket closed meanwhile
            return;
        }
        localSessions.register(sessionId, new SocketSink(connection));
        // Not waited for: during a broker outage the producer keeps the event (and the audio after it, in order)
        // until the broker is back, so the client is answered at once. Only an outage past the producer's delivery
        // timeout fails it, and then the session is given up here and the client told.
        publisher.publishUrgent(new SessionStarted(sessionId, userId, node.nodeId(), node.deliveryTopic(), start.format(),
                start.sampleRate(), start.language(), start.engine(), start.interimResults(), false, now, start.wordTimestamps(),
                start.endpointingMs(), start.speechEvents() ? Boolean.TRUE : null, events(start.options())))
                .whenComplete((r, failure) -> {
                    if (failure != null && connection.finish(sessionId)) {
                        localSessions.unregister(sessionId);
                        sessions.releaseSession(userId);
                        warn(connection, ErrorCode.OVERLOADED, "the session could not be started: " + failure.getMessage());
                    }
                });
        meters.counter("ingest.sessions.started").increment();
        connection.send(new ServerMessage.Started(sessionId, session.resumeToken(), StreamFormat.codec(start.format()), start.sampleRate(),
                start.interimResults(), effectiveOptions.of(start)));
    }

    /** The start's hotwords and output controls as the pipeline carries them (validated by the codec). */
    private static com.realtimevoice.events.RecognitionOptions events(com.realtimevoice.protocol.RecognitionOptions o) {
        return new com.realtimevoice.events.RecognitionOptions(o.hotwords(), o.punctuation(), o.numbers(), o.profanity());
    }

    /**
     * Reattaches a dropped session, on this node or any other: the resume token proves the session is this user's,
     * the route moves here in-band, result-service re-sends the finals after {@code lastIndex}, and audio continues
     * at the client's {@code nextSeq} (re-sent chunks the worker already has are dropped by seq).
     */
    private void resume(StreamConnection connection, ClientMessage.Resume resume) {
        if (resume.token() != null && !authenticate(connection, resume.token())) {
            return;
        }
        String userId = connection.userId();
        if (userId == null) {
            error(connection, ErrorCode.UNAUTHORIZED, "a token is required to resume");
            return;
        }
        if (connection.session() != null) {
            error(connection, ErrorCode.BAD_REQUEST, "a session is already running on this connection");
            return;
        }
        ResumeTokens.Claims claims = resumeTokens.verify(resume.resumeToken(), resume.sessionId(), userId);
        if (claims == null) {
            meters.counter("ingest.sessions.resumed", "result", "refused").increment();
            connection.send(new ServerMessage.Error(ErrorCode.SESSION_NOT_FOUND.name(),
                    "no session " + resume.sessionId() + " with that resume token for this user; start a new session", false));
            return;
        }
        if (!sessions.tryAcquireSession(userId)) {
            error(connection, ErrorCode.RATE_LIMITED, "too many concurrent sessions for this user (limit "
                    + properties.limits().maxSessionsPerUser() + ")");
            return;
        }
        long now = System.currentTimeMillis();
        Dropped dropped = abandoned.remove(resume.sessionId());
        if (dropped != null) {
            dropped.end().cancel(false);
        }
        long nextSeq = resume.nextSeq() == null ? 0 : resume.nextSeq();
        long startedAt = claims.startedAtMs() > 0 && claims.startedAtMs() <= now ? claims.startedAtMs() : now;
        ActiveSession session = new ActiveSession(resume.sessionId(), userId, resume.resumeToken(), claims.format(),
                claims.sampleRate(), nextSeq, startedAt, carriedBudget(dropped, claims.format(), claims.sampleRate(), startedAt, now));
        session.markResumed();
        if (!connection.begin(session)) {
            sessions.releaseSession(userId); // the socket closed meanwhile
            if (dropped != null) {
                awaitResume(dropped.session());
            }
            return;
        }
        localSessions.register(resume.sessionId(), new SocketSink(connection));
        // Accepted at once, also while the broker is away: the producer keeps session.resumed, in order on the session's
        // key ahead of the audio that follows, until the broker is back. Only an outage past the producer's delivery
        // timeout fails it; then the client is told to resume again (1013), and its close arms the end timer again.
        publisher.publishUrgent(new com.realtimevoice.events.SessionResumed(resume.sessionId(), userId, node.nodeId(),
                node.deliveryTopic(), resume.lastIndex(), resume.nextSeq(), now)).whenComplete((r, failure) -> {
                    if (failure != null && connection.session() == session) {
                        error(connection, ErrorCode.OVERLOADED, "the session could not be resumed: " + failure.getMessage()
                                + "; resume again");
                    }
                });
        meters.counter("ingest.sessions.resumed", "result", "accepted").increment();
        connection.send(new ServerMessage.Resumed(resume.sessionId(), resume.lastIndex(), nextSeq));
    }

    private void end(StreamConnection connection) {
        ActiveSession session = connection.session();
        if (session == null) {
            error(connection, ErrorCode.BAD_REQUEST, "no session to end: send start first");
            return;
        }
        if (session.ending()) {
            error(connection, ErrorCode.BAD_REQUEST, "the session is already ending");
            return;
        }
        endSession(connection, session, "end");
    }

    /**
     * Finalise what was said so far: the flush goes to the worker in-band, after the chunks sent before it (the same
     * producer, the same key), so it cuts the segment exactly there. Not waited for, like audio; during a broker
     * outage the producer keeps it in order until the broker is back.
     */
    private void flush(StreamConnection connection) {
        ActiveSession session = connection.session();
        if (session == null || session.ending()) {
            error(connection, ErrorCode.BAD_REQUEST, session == null ? "no session to flush: send start first"
                    : "the session is ending: its finals follow anyway");
            return;
        }
        publisher.publishUrgent(new SessionFlushed(session.sessionId(), session.lastSeq(), System.currentTimeMillis()))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        log.warn("the flush of session {} was not accepted by Kafka: {}", session.sessionId(), failure.getMessage());
                    }
                });
        meters.counter("ingest.flushes").increment();
    }

    /**
     * No more audio: the worker finishes every pending segment, and finals and completed still arrive. The end is
     * queued even while the broker is away (and retried past that), so the session always ends.
     */
    private void endSession(StreamConnection connection, ActiveSession session, String reason) {
        session.markEnding();
        publishEnd(session, reason, 0);
    }

    /**
     * The audio budget a resumed session has used: exactly what it used here if it dropped from this node; from
     * another node, everything its time since the start allows but one burst (the re-send of its unacked audio).
     * Either way a reconnect buys no fresh allowance beyond that burst.
     */
    private long carriedBudget(Dropped dropped, String format, int sampleRate, long startedAt, long now) {
        IngestProperties.Limits limits = properties.limits();
        long elsewhere = (long) ((now - startedAt) * limits.maxAudioSpeed() * StreamFormat.bytesPerSecond(format, sampleRate) / 1000.0);
        return Math.max(elsewhere, dropped == null ? 0 : dropped.session().budgetBytes());
    }

    /**
     * Once a second: connections that never authenticated, tokens that expired, sessions past their maximum
     * duration or without audio for the idle timeout.
     */
    @jakarta.annotation.PostConstruct
    void scheduleLimits() {
        limitsSweep = scheduler.scheduleAtFixedRate(() -> sessions.forEach(this::enforceLimits), java.time.Duration.ofSeconds(1));
        ackFlush = scheduler.scheduleAtFixedRate(this::flushAcks, properties.reliability().ackInterval());
    }

    @jakarta.annotation.PreDestroy
    void cancelLimits() {
        if (limitsSweep != null) {
            limitsSweep.cancel(false);
        }
        if (ackFlush != null) {
            ackFlush.cancel(false);
        }
    }

    void enforceLimits(StreamConnection connection) {
        try {
            long now = System.currentTimeMillis();
            IngestProperties.Limits limits = properties.limits();
            if (connection.stalled(System.nanoTime())) {
                connection.dropSlowReader();
                return;
            }
            if (connection.userId() == null) {
                if (now - connection.openedAtMs() > limits.authTimeout().toMillis()) {
                    error(connection, ErrorCode.UNAUTHORIZED, "no valid token within " + limits.authTimeout().toSeconds() + " s");
                }
                return;
            }
            java.time.Instant expires = connection.tokenExpiresAt();
            if (expires != null && now > expires.toEpochMilli()) {
                ActiveSession session = connection.session();
                error(connection, ErrorCode.TOKEN_EXPIRED, "the token expired; get a new one and reconnect"
                        + (session == null ? "" : " (session " + session.sessionId() + ")"));
                return;
            }
            ActiveSession session = connection.session();
            if (session == null || session.ending()) {
                return;
            }
            if (now - session.startedAtMs() > limits.maxSessionDuration().toMillis()) {
                error(connection, ErrorCode.MAX_DURATION, "the session reached the maximum duration of "
                        + limits.maxSessionDuration().toSeconds() + " s and was ended; its finals follow");
                endSession(connection, session, "max_duration");
            } else if (session.idleLongerThan(now, limits.idleTimeout().toMillis())) {
                error(connection, ErrorCode.IDLE_TIMEOUT, "no audio for " + limits.idleTimeout().toSeconds()
                        + " s: the session was ended; its finals follow");
                endSession(connection, session, "idle");
            }
        } catch (RuntimeException e) {
            log.warn("limit check of {} failed", connection.id(), e);
        }
    }

    /** The error message alone: the connection goes on (the client may retry, or pause until acks flow). */
    private void warn(StreamConnection connection, ErrorCode code, String message) {
        meters.counter("ingest.errors", "code", code.name()).increment();
        connection.send(new ServerMessage.Error(code, message));
    }

    private void error(StreamConnection connection, ErrorCode code, String message) {
        meters.counter("ingest.errors", "code", code.name()).increment();
        connection.sendError(code, message);
    }

    private static StreamConnection connection(WebSocketSession raw) {
        return (StreamConnection) raw.getAttributes().get(CONNECTION);
    }

    /** Sends each session's pending ack, at most one per ack interval: a batch of chunks is acked at once. */
    private void flushAcks() {
        sessions.forEach(connection -> {
            ActiveSession session = connection.session();
            if (session != null) {
                long seq = session.takeAck();
                if (seq >= 0) {
                    connection.send(new ServerMessage.Ack(session.sessionId(), seq));
                }
            }
        });
    }

    /**
     * Shutting down: every client is told to reconnect, with close code 1012 (service restart), and resumes its
     * session on another node; no session is ended here, so none is cut short.
     */
    @Override
    public void stop() {
        shuttingDown = true;
        sessions.forEach(c -> c.closeAtOnce(new CloseStatus(1012, "server restarting: reconnect and resume")));
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

    /** Results of one session, sent to its socket in the order they arrive (the order of the segments). */
    private final class SocketSink implements ResultSink {

        private final StreamConnection connection;

        SocketSink(StreamConnection connection) {
            this.connection = connection;
        }

        @Override
        public void onPartial(TranscriptPartial partial) {
            connection.send(new ServerMessage.Partial(partial.sessionId(), partial.index(), partial.text()));
        }

        @Override
        public void onSpeechStarted(SpeechStarted speech) {
            connection.send(new ServerMessage.SpeechStarted(speech.sessionId(), speech.atMs()));
        }

        @Override
        public void onFinal(TranscriptFinal fin) {
            connection.send(new ServerMessage.Final(fin.sessionId(), fin.index(), fin.text(), fin.startMs(), fin.endMs(),
                    fin.words() == null ? null : fin.words().stream()
                            .map(w -> new ServerMessage.Word(w.word(), w.startMs(), w.endMs(), w.confidence())).toList()));
        }

        @Override
        public void onCompleted(SessionCompleted completed) {
            release(completed.sessionId()); // first, so a start sent right after completed is not refused
            connection.send(new ServerMessage.Completed(completed.sessionId(), completed.text(), completed.segments()));
            meters.counter("ingest.sessions.ended", "outcome", "completed").increment();
        }

        @Override
        public void onFailed(SessionFailed failed) {
            ActiveSession session = connection.session();
            boolean resumed = session != null && session.resumed();
            release(failed.sessionId());
            connection.send(resumed ? new ServerMessage.Error(failed.code(), failed.message(), false)
                    : new ServerMessage.Error(failed.code(), failed.message(), null));
            meters.counter("ingest.sessions.ended", "outcome", "failed").increment();
        }

        private void release(String sessionId) {
            ActiveSession session = connection.session();
            if (connection.finish(sessionId)) {
                sessions.releaseSession(session.userId());
            }
            localSessions.unregister(sessionId);
        }
    }
}
