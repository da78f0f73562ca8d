package com.realtimevoice.ingest.stream;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;

/**
 * The owner of one client connection's session state machine (docs/protocol.md):
 *
 * <pre>
 *   open --token--> authenticated --start--> streaming --end, max duration, idle--> ending --completed/failed--> ended
 *                         ^                      |                                                              |
 *                         |                      | socket closed while streaming              (authenticated again)
 *                         |                      v
 *                         |     dropped, kept by {@link IngestSessions} for the resume window
 *                         |          --resume (here or on any node)--> streaming (resumed)
 *                         |          --window over--> ended ("abandoned")
 *                         +--------------------------------------------------------------------------------------+
 * </pre>
 *
 * Every transition is a method here; the state itself sits in the {@link StreamConnection} (user, current session,
 * closed) and the {@link ActiveSession} (ending, seq, acks), both synchronized, because frames arrive on the socket's
 * thread, results on Kafka listener threads and the sweeps on the scheduler. A session leaves this connection in one
 * place, {@link #tearDown}. Results of the current session come back through {@link SocketResults}.
 *
 * <p>Longer than the ~400-line guide on purpose (issue 21): every transition of the state machine above is here, so
 * a fix to a session's life touches one class; limits, acks, delivery and the registry are their own classes.
 */
final class IngestSession {

    private static final Logger log = LoggerFactory.getLogger(IngestSession.class);

    private final StreamConnection connection;
    private final IngestSessions registry;
    private final SessionServices services;

    IngestSession(StreamConnection connection, IngestSessions registry, SessionServices services) {
        this.connection = connection;
        this.registry = registry;
        this.services = services;
    }

    StreamConnection connection() {
        return connection;
    }

    /** Checks a token and makes its subject the connection's user; false (and the connection closed) if not. */
    boolean authenticate(String token) {
        return ConnectionAuth.authenticate(this, token, services);
    }

    void start(ClientMessage.Start start) {
        // A bad token here refuses the start even when the upgrade request carried a good one (and closes the socket).
        if (start.token() != null && !authenticate(start.token())) {
            return;
        }
        String userId = connection.userId();
        if (userId == null) {
            error(
                    ErrorCode.UNAUTHORIZED,
                    "a token is required: Authorization: Bearer header, ?token= or the start message's token");
            return;
        }
        if (connection.session() != null) {
            error(ErrorCode.BAD_REQUEST, "a session is already running on this connection; send end first");
            return;
        }
        // pcm (mono, or channels 2) at any common rate, or mp3; the worker converts (StreamFormat says why there)
        String unsupported = StreamFormat.unsupported(start.format(), start.sampleRate());
        if (unsupported != null) {
            error(ErrorCode.UNSUPPORTED_FORMAT, unsupported);
            return;
        }
        if (!claimSessionSlot(userId)) {
            return;
        }
        String sessionId = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        ActiveSession session = new ActiveSession(
                sessionId,
                userId,
                services.resumeTokens()
                        .issue(new ResumeTokens.Claims(sessionId, userId, start.format(), start.sampleRate(), now)),
                start.format(),
                start.sampleRate(),
                now);
        if (!connection.begin(session)) {
            services.counts().releaseSession(userId); // the socket closed meanwhile
            return;
        }
        services.localSessions().register(sessionId, new SocketResults(this, services.meters()));
        // Not waited for: during a broker outage the producer keeps the event (and the audio after it, in order)
        // until the broker is back, so the client is answered at once. Only an outage past the producer's delivery
        // timeout fails it, and then the session is given up here and the client told.
        services.publisher()
                .publishUrgent(new SessionStarted(
                        sessionId,
                        userId,
                        services.node().nodeId(),
                        services.node().deliveryTopic(),
                        start.format(),
                        start.sampleRate(),
                        start.language(),
                        start.engine(),
                        start.interimResults(),
                        false,
                        now,
                        start.wordTimestamps(),
                        start.endpointingMs(),
                        start.speechEvents() ? Boolean.TRUE : null,
                        events(start.options())))
                .whenComplete((r, failure) -> {
                    if (failure != null && tearDown(sessionId)) {
                        warn(ErrorCode.OVERLOADED, "the session could not be started: " + failure.getMessage());
                    }
                });
        services.meters().counter("ingest.sessions.started").increment();
        connection.send(new ServerMessage.Started(
                sessionId,
                session.resumeToken(),
                StreamFormat.codec(start.format()),
                start.sampleRate(),
                start.interimResults(),
                services.effectiveOptions().of(start)));
    }

    /** The start's hotwords and output controls as the pipeline carries them (validated by the codec). */
    private static com.realtimevoice.events.RecognitionOptions events(com.realtimevoice.protocol.RecognitionOptions o) {
        return new com.realtimevoice.events.RecognitionOptions(
                o.hotwords(), o.punctuation(), o.numbers(), o.profanity());
    }

    /**
     * Reattaches a dropped session, on this node or any other: the resume token proves the session is this user's,
     * the route moves here in-band, result-service re-sends the finals after {@code lastIndex}, and audio continues
     * at the client's {@code nextSeq} (re-sent chunks the worker already has are dropped by seq).
     */
    void resume(ClientMessage.Resume resume) {
        if (resume.token() != null && !authenticate(resume.token())) {
            return;
        }
        String userId = connection.userId();
        if (userId == null) {
            error(ErrorCode.UNAUTHORIZED, "a token is required to resume");
            return;
        }
        if (connection.session() != null) {
            error(ErrorCode.BAD_REQUEST, "a session is already running on this connection");
            return;
        }
        ResumeTokens.Claims claims = services.resumeTokens().verify(resume.resumeToken(), resume.sessionId(), userId);
        if (claims == null) {
            services.meters()
                    .counter("ingest.sessions.resumed", "result", "refused")
                    .increment();
            connection.send(new ServerMessage.Error(
                    ErrorCode.SESSION_NOT_FOUND.name(),
                    "no session " + resume.sessionId() + " with that resume token for this user; start a new session",
                    false));
            return;
        }
        if (!claimSessionSlot(userId)) {
            return;
        }
        long now = System.currentTimeMillis();
        ActiveSession dropped = registry.takeDropped(resume.sessionId());
        long nextSeq = resume.nextSeq() == null ? 0 : resume.nextSeq();
        long startedAt = claims.startedAtMs() > 0 && claims.startedAtMs() <= now ? claims.startedAtMs() : now;
        ActiveSession session = new ActiveSession(
                resume.sessionId(),
                userId,
                resume.resumeToken(),
                claims.format(),
                claims.sampleRate(),
                nextSeq,
                startedAt,
                ActiveSession.carriedBudget(
                        dropped,
                        claims.format(),
                        claims.sampleRate(),
                        startedAt,
                        now,
                        services.limits().maxAudioSpeed()));
        session.markResumed(resume.lastIndex());
        if (!connection.begin(session)) {
            services.counts().releaseSession(userId); // the socket closed meanwhile
            if (dropped != null) {
                registry.awaitResume(dropped);
            }
            return;
        }
        services.localSessions().register(resume.sessionId(), new SocketResults(this, services.meters()));
        // Accepted at once, also while the broker is away: the producer keeps session.resumed, in order on the
        // session's
        // key ahead of the audio that follows, until the broker is back. Only an outage past the producer's delivery
        // timeout fails it; then the client is told to resume again (1013), and its close arms the end timer again.
        services.publisher()
                .publishUrgent(new SessionResumed(
                        resume.sessionId(),
                        userId,
                        services.node().nodeId(),
                        services.node().deliveryTopic(),
                        resume.lastIndex(),
                        resume.nextSeq(),
                        now))
                .whenComplete((r, failure) -> {
                    if (failure != null && connection.session() == session) {
                        error(
                                ErrorCode.OVERLOADED,
                                "the session could not be resumed: " + failure.getMessage() + "; resume again");
                    }
                });
        services.meters()
                .counter("ingest.sessions.resumed", "result", "accepted")
                .increment();
        connection.send(new ServerMessage.Resumed(resume.sessionId(), resume.lastIndex(), nextSeq));
    }

    /** One of the user's concurrent-session slots, or the client is told the limit (false). */
    private boolean claimSessionSlot(String userId) {
        if (services.counts().tryAcquireSession(userId)) {
            return true;
        }
        error(
                ErrorCode.RATE_LIMITED,
                "too many concurrent sessions for this user (limit "
                        + services.limits().maxSessionsPerUser() + ")");
        return false;
    }

    void end() {
        ActiveSession session = connection.session();
        if (session == null) {
            error(ErrorCode.BAD_REQUEST, "no session to end: send start first");
            return;
        }
        if (session.ending()) {
            error(ErrorCode.BAD_REQUEST, "the session is already ending");
            return;
        }
        endSession(session, "end");
    }

    /**
     * Finalise what was said so far: the flush goes to the worker in-band, after the chunks sent before it (the same
     * producer, the same key), so it cuts the segment exactly there. Not waited for, like audio; during a broker
     * outage the producer keeps it in order until the broker is back.
     */
    void flush() {
        ActiveSession session = connection.session();
        if (session == null || session.ending()) {
            error(
                    ErrorCode.BAD_REQUEST,
                    session == null
                            ? "no session to flush: send start first"
                            : "the session is ending: its finals follow anyway");
            return;
        }
        services.publisher()
                .publishUrgent(new SessionFlushed(session.sessionId(), session.lastSeq(), System.currentTimeMillis()))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        log.warn(
                                "the flush of session {} was not accepted by Kafka: {}",
                                session.sessionId(),
                                failure.getMessage());
                    }
                });
        services.meters().counter("ingest.flushes").increment();
    }

    /**
     * No more audio: the worker finishes every pending segment, and finals and completed still arrive. The end is
     * queued even while the broker is away (and retried past that), so the session always ends.
     */
    private void endSession(ActiveSession session, String reason) {
        session.markEnding();
        registry.publishEnd(session, reason);
    }

    /** An audio frame: checked against the session's state and limits, stamped, published; acked when Kafka has it. */
    void audio(BinaryMessage message) {
        ActiveSession session = connection.session();
        int length = message.getPayloadLength();
        IngestProperties.Limits limits = services.limits();
        if (connection.userId() == null) {
            error(ErrorCode.UNAUTHORIZED, "no valid token: send one before any audio");
            return;
        }
        if (length > limits.maxFrameBytes()) {
            error(
                    ErrorCode.TOO_LARGE,
                    "audio frame of " + length + " bytes exceeds the limit of " + limits.maxFrameBytes()
                            + " (1 s of 16 kHz PCM is 32000 bytes)");
            return;
        }
        if (session == null) {
            error(ErrorCode.BAD_REQUEST, "audio before start: send {\"type\":\"start\"} first");
            return;
        }
        if (session.ending()) {
            error(ErrorCode.BAD_REQUEST, "audio after end: the session no longer takes audio");
            return;
        }
        if (length == 0) {
            error(ErrorCode.BAD_REQUEST, "empty audio frame");
            return;
        }
        int alignment = StreamFormat.frameAlignment(session.format());
        if (length % alignment != 0) {
            error(
                    ErrorCode.BAD_REQUEST,
                    alignment == 2
                            ? "16-bit PCM frames must have an even number of bytes, got " + length
                            : "16-bit PCM frames of " + alignment / 2 + " channels must be a multiple of " + alignment
                                    + " bytes, got " + length);
            return;
        }
        if (session.wouldExceed(length, limits.maxAudioSpeed(), limits.audioBurst(), System.currentTimeMillis())) {
            error(
                    ErrorCode.RATE_LIMITED,
                    "audio arrives faster than " + limits.maxAudioSpeed()
                            + " times real time; send it at the pace it is recorded");
            connection.close(CloseStatus.POLICY_VIOLATION.withReason("audio too fast"));
            return;
        }
        IngestProperties.Reliability reliability = services.properties().reliability();
        long maxUnacked = reliability.maxUnackedAudio().toMillis()
                * StreamFormat.bytesPerSecond(session.format(), session.sampleRate())
                / 1000;
        ActiveSession.Admission admission = services.publisher().hasRoomFor(length)
                ? session.admit(length, maxUnacked)
                : ActiveSession.Admission.REFUSED;
        if (admission != ActiveSession.Admission.ACCEPTED) {
            // Kafka is behind or away (up to INGEST_MAX_UNACKED_AUDIO is buffered meanwhile): hold the client back
            // rather than buffer without bound. Each refused chunk is answered, the socket stays open; nothing acked
            // is lost, and the client re-sends from the chunk after its last ack once acks flow again.
            services.meters().counter("ingest.audio.refused").increment();
            warn(
                    ErrorCode.OVERLOADED,
                    "audio chunk refused: " + reliability.maxUnackedAudio().toSeconds()
                            + " s of audio are not acknowledged by the message broker yet; pause, and re-send from the chunk after "
                            + "the last ack when acks resume");
            return;
        }
        ByteBuffer payload = message.getPayload();
        byte[] audio = new byte[length];
        payload.get(audio);
        long[] stamp = session.stamp(length);
        AudioChunk chunk = new AudioChunk(
                session.sessionId(),
                stamp[0],
                stamp[1],
                session.format(),
                session.sampleRate(),
                System.currentTimeMillis(),
                audio);
        services.publisher().publish(chunk).whenComplete((result, failure) -> {
            if (failure != null) {
                // Never acked, so the client still has it: it can resume (here or elsewhere) and re-send from the last
                // ack.
                log.warn(
                        "audio chunk {} of session {} was not accepted by Kafka: {}",
                        stamp[0],
                        session.sessionId(),
                        failure.getMessage());
                error(
                        ErrorCode.OVERLOADED,
                        "audio could not be queued for recognition; resume and re-send from the last ack");
            } else {
                session.acknowledged(stamp[0], length);
            }
        });
        services.audio().chunks.increment();
        services.audio().bytes.increment(length);
    }

    /**
     * The socket is gone (closed by either side): its user's socket and session slots are freed, and a session that
     * was not ending is kept by the registry for the resume window (not at shutdown: clients resume elsewhere).
     */
    void closed(boolean shuttingDown) {
        String user = connection.markClosed();
        if (user != null) {
            services.counts().removeSocket(user);
        }
        ActiveSession session = connection.session();
        if (session != null && tearDown(session.sessionId()) && !session.ending() && !shuttingDown) {
            registry.awaitResume(session);
        }
    }

    /**
     * The one teardown of a session on this connection: the connection forgets it, the user's session slot is freed
     * and its results are no longer routed here. Only the current session is torn down (a late callback of an earlier
     * one changes nothing); true if it was current.
     */
    private boolean tearDown(String sessionId) {
        ActiveSession session = connection.session();
        if (!connection.finish(sessionId)) {
            return false;
        }
        services.localSessions().unregister(sessionId);
        services.counts().releaseSession(session.userId());
        return true;
    }

    /**
     * Once a second: a socket that does not read, a connection that never authenticated, a token that expired, a
     * session past its maximum duration or without audio for the idle timeout.
     */
    void enforceLimits() {
        try {
            long now = System.currentTimeMillis();
            IngestProperties.Limits limits = services.limits();
            if (connection.stalled(System.nanoTime())) {
                connection.dropSlowReader();
                return;
            }
            long pongTimeoutMs = services.properties().pongTimeout().toMillis();
            if (connection.unanswered(now, pongTimeoutMs)) {
                services.meters()
                        .counter("ingest.sockets.dropped", "reason", "no_pong")
                        .increment();
                connection.dropUnanswering(pongTimeoutMs);
                return;
            }
            if (connection.userId() == null) {
                if (now - connection.openedAtMs() > limits.authTimeout().toMillis()) {
                    error(
                            ErrorCode.UNAUTHORIZED,
                            "no valid token within " + limits.authTimeout().toSeconds() + " s");
                }
                return;
            }
            java.time.Instant expires = connection.tokenExpiresAt();
            if (expires != null && now > expires.toEpochMilli()) {
                ActiveSession session = connection.session();
                error(
                        ErrorCode.TOKEN_EXPIRED,
                        "the token expired; get a new one and reconnect"
                                + (session == null ? "" : " (session " + session.sessionId() + ")"));
                return;
            }
            ActiveSession session = connection.session();
            if (session == null || session.ending()) {
                return;
            }
            if (now - session.startedAtMs() > limits.maxSessionDuration().toMillis()) {
                error(
                        ErrorCode.MAX_DURATION,
                        "the session reached the maximum duration of "
                                + limits.maxSessionDuration().toSeconds() + " s and was ended; its finals follow");
                endSession(session, "max_duration");
            } else if (session.idleLongerThan(now, limits.idleTimeout().toMillis())) {
                error(
                        ErrorCode.IDLE_TIMEOUT,
                        "no audio for " + limits.idleTimeout().toSeconds()
                                + " s: the session was ended; its finals follow");
                endSession(session, "idle");
            }
        } catch (RuntimeException e) {
            log.warn("limit check of {} failed", connection.id(), e);
        }
    }

    /** Sends the session's pending ack, if any (called once per ack interval: a batch of chunks is acked at once). */
    void flushAck() {
        ActiveSession session = connection.session();
        if (session != null) {
            long seq = session.takeAck();
            if (seq >= 0) {
                connection.send(new ServerMessage.Ack(session.sessionId(), seq));
            }
        }
    }

    /**
     * The session completed or failed: torn down, and its results stop coming here even if it is no longer the
     * current one. Before the client hears of it, so a start sent right after {@code completed} is not refused.
     */
    void ended(String sessionId) {
        tearDown(sessionId);
        services.localSessions().unregister(sessionId);
    }

    /** The error message alone: the connection goes on (the client may retry, or pause until acks flow). */
    private void warn(ErrorCode code, String message) {
        services.meters().counter("ingest.errors", "code", code.name()).increment();
        connection.send(new ServerMessage.Error(code, message));
    }

    /** The error message, then the close its code calls for (if any). */
    void error(ErrorCode code, String message) {
        services.meters().counter("ingest.errors", "code", code.name()).increment();
        connection.sendError(code, message);
    }
}
