package com.realtimevoice.ingest.stream;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import com.realtimevoice.auth.InvalidTokenException;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.pipeline.AudioPublisher;
import com.realtimevoice.ingest.pipeline.AudioPublisher.PublishFailedException;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import com.realtimevoice.ingest.pipeline.ResultSink;

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
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * The streaming contract (docs/protocol.md): JSON control frames and binary PCM in, started / partial /
 * final / completed / error / pong out. Audio goes to Kafka stamped with seq and byte offset; results come
 * back through this node's delivery topic.
 */
@Component
class StreamWebSocketHandler extends AbstractWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(StreamWebSocketHandler.class);
    private static final String CONNECTION = "rv.connection";
    private static final SecureRandom RANDOM = new SecureRandom();

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
    private java.util.concurrent.ScheduledFuture<?> limitsSweep;

    StreamWebSocketHandler(TokenService tokens, AudioPublisher publisher, LocalSessions localSessions, StreamSessions sessions,
                           IngestNode node, IngestProperties properties, MeterRegistry meters,
                           org.springframework.scheduling.TaskScheduler scheduler) {
        this.scheduler = scheduler;
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
        WebSocketSession socket = new ConcurrentWebSocketSessionDecorator(raw, (int) limits.sendTimeLimit().toMillis(),
                limits.sendBufferBytes(), ConcurrentWebSocketSessionDecorator.OverflowStrategy.TERMINATE);
        StreamConnection connection = new StreamConnection(socket);
        raw.getAttributes().put(CONNECTION, connection);
        sessions.add(connection);
        String handshakeToken = (String) raw.getAttributes().get(TokenHandshakeInterceptor.TOKEN_ATTRIBUTE);
        if (handshakeToken != null) {
            authenticate(connection, handshakeToken);
        }
    }

    /** An unexpected failure answers the contract's INTERNAL error instead of a bare close; other sessions go on. */
    @Override
    public void handleMessage(WebSocketSession raw, org.springframework.web.socket.WebSocketMessage<?> message) throws Exception {
        try {
            super.handleMessage(raw, message);
        } catch (RuntimeException e) {
            log.error("unexpected failure handling a frame on {}", raw.getId(), e);
            error(connection(raw), ErrorCode.INTERNAL, "internal error; the session cannot go on");
        }
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
        ClientMessage parsed = ClientMessage.parse(message.getPayload());
        if (parsed instanceof ClientMessage.Ping) {
            connection.send(ServerMessages.pong());
        } else if (parsed instanceof ClientMessage.Start start) {
            start(connection, start);
        } else if (parsed instanceof ClientMessage.End) {
            end(connection);
        } else if (parsed instanceof ClientMessage.Resume resume) {
            error(connection, ErrorCode.SESSION_NOT_FOUND,
                    "session " + resume.sessionId() + " cannot be resumed on this node; start a new session");
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
        if (length % 2 != 0) {
            error(connection, ErrorCode.BAD_REQUEST, "16-bit PCM frames must have an even number of bytes, got " + length);
            return;
        }
        IngestProperties.Limits limits = properties.limits();
        if (session.wouldExceed(length, limits.maxAudioSpeed(), limits.audioBurst(), System.currentTimeMillis())) {
            error(connection, ErrorCode.RATE_LIMITED, "audio arrives faster than " + limits.maxAudioSpeed()
                    + " times real time; send it at the pace it is recorded");
            connection.close(CloseStatus.POLICY_VIOLATION.withReason("audio too fast"));
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
                // Losing a chunk would silently corrupt the transcript: end the session loudly instead.
                log.warn("audio chunk {} of session {} was not accepted by Kafka: {}", stamp[0], session.sessionId(), failure.getMessage());
                error(connection, ErrorCode.OVERLOADED, "audio could not be queued for recognition; reconnect and try again");
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
        ActiveSession session = connection.session();
        if (session != null && connection.finish(session.sessionId())) {
            localSessions.unregister(session.sessionId());
            sessions.releaseSession(session.userId());
            if (!session.ending()) {
                // Tell the worker to free the recognizer; whatever was said is still finalised and stored.
                publisher.publish(new SessionEnded(session.sessionId(), session.lastSeq(), session.bytes(), "client_closed",
                        System.currentTimeMillis()));
            }
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("transport error on {}: {}", session.getId(), exception.getMessage());
    }

    private void authenticate(StreamConnection connection, String token) {
        try {
            com.realtimevoice.auth.VerifiedToken verified = tokens.verify(token);
            connection.authenticate(verified.userId(), verified.expiresAt());
        } catch (InvalidTokenException e) {
            error(connection, ErrorCode.UNAUTHORIZED, e.getMessage());
        }
    }

    private void start(StreamConnection connection, ClientMessage.Start start) {
        if (start.token() != null) {
            authenticate(connection, start.token());
            if (connection.userId() == null) {
                return;
            }
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
        if (!"pcm".equals(start.format())) {
            error(connection, ErrorCode.UNSUPPORTED_FORMAT, "format \"" + start.format() + "\" is not supported; use \"pcm\" (16-bit signed little-endian mono)");
            return;
        }
        if (start.sampleRate() != 16000) {
            error(connection, ErrorCode.UNSUPPORTED_FORMAT, "sampleRate " + start.sampleRate() + " is not supported; use 16000");
            return;
        }
        if (!sessions.tryAcquireSession(userId)) {
            error(connection, ErrorCode.RATE_LIMITED, "too many concurrent sessions for this user (limit "
                    + properties.limits().maxSessionsPerUser() + ")");
            return;
        }
        String sessionId = UUID.randomUUID().toString();
        ActiveSession session = new ActiveSession(sessionId, userId, resumeToken(), start.format(), start.sampleRate());
        connection.begin(session);
        localSessions.register(sessionId, new SocketSink(connection));
        try {
            publisher.publishAndWait(new SessionStarted(sessionId, userId, node.nodeId(), node.deliveryTopic(), start.format(),
                    start.sampleRate(), start.language(), start.engine(), start.interimResults(), false, System.currentTimeMillis()));
        } catch (PublishFailedException e) {
            connection.finish(sessionId);
            localSessions.unregister(sessionId);
            sessions.releaseSession(userId);
            error(connection, ErrorCode.OVERLOADED, "the session could not be started: " + e.getMessage());
            return;
        }
        meters.counter("ingest.sessions.started").increment();
        connection.send(ServerMessages.started(sessionId, session.resumeToken(), start.format(), start.sampleRate(),
                start.interimResults()));
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

    /** No more audio: the worker finishes every pending segment, and finals and completed still arrive. */
    private void endSession(StreamConnection connection, ActiveSession session, String reason) {
        session.markEnding();
        try {
            publisher.publishAndWait(new SessionEnded(session.sessionId(), session.lastSeq(), session.bytes(), reason,
                    System.currentTimeMillis()));
        } catch (PublishFailedException e) {
            error(connection, ErrorCode.OVERLOADED, "the end of the session could not be queued: " + e.getMessage());
        }
    }

    /**
     * Once a second: connections that never authenticated, tokens that expired, sessions past their maximum
     * duration or without audio for the idle timeout.
     */
    @jakarta.annotation.PostConstruct
    void scheduleLimits() {
        limitsSweep = scheduler.scheduleAtFixedRate(() -> sessions.forEach(this::enforceLimits), java.time.Duration.ofSeconds(1));
    }

    @jakarta.annotation.PreDestroy
    void cancelLimits() {
        if (limitsSweep != null) {
            limitsSweep.cancel(false);
        }
    }

    void enforceLimits(StreamConnection connection) {
        try {
            long now = System.currentTimeMillis();
            IngestProperties.Limits limits = properties.limits();
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
            } else if (now - session.lastAudioAtMs() > limits.idleTimeout().toMillis()) {
                error(connection, ErrorCode.IDLE_TIMEOUT, "no audio for " + limits.idleTimeout().toSeconds()
                        + " s: the session was ended; its finals follow");
                endSession(connection, session, "idle");
            }
        } catch (RuntimeException e) {
            log.warn("limit check of {} failed", connection.id(), e);
        }
    }

    private void error(StreamConnection connection, ErrorCode code, String message) {
        meters.counter("ingest.errors", "code", code.name()).increment();
        connection.sendError(code, message);
    }

    private static StreamConnection connection(WebSocketSession raw) {
        return (StreamConnection) raw.getAttributes().get(CONNECTION);
    }

    private static String resumeToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Results of one session, sent to its socket in the order they arrive (the order of the segments). */
    private final class SocketSink implements ResultSink {

        private final StreamConnection connection;

        SocketSink(StreamConnection connection) {
            this.connection = connection;
        }

        @Override
        public void onPartial(TranscriptPartial partial) {
            connection.send(ServerMessages.partial(partial));
        }

        @Override
        public void onFinal(TranscriptFinal fin) {
            connection.send(ServerMessages.fin(fin));
        }

        @Override
        public void onCompleted(SessionCompleted completed) {
            release(completed.sessionId()); // first, so a start sent right after completed is not refused
            connection.send(ServerMessages.completed(completed));
            meters.counter("ingest.sessions.ended", "outcome", "completed").increment();
        }

        @Override
        public void onFailed(SessionFailed failed) {
            release(failed.sessionId());
            connection.send(ServerMessages.error(failed.code(), failed.message()));
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
