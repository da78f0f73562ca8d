package com.realtimevoice.ingest.stream;

import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * The streaming contract (docs/protocol.md): JSON control frames and binary PCM in, started / partial /
 * final / completed / error / pong out. This class only joins frames, guards against floods and oversize frames,
 * parses, and hands each message to the socket's {@link IngestSession}, which owns the session's state machine;
 * {@link IngestSessions} owns all of them.
 */
@Component
class StreamWebSocketHandler extends AbstractWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(StreamWebSocketHandler.class);
    private static final String SESSION = "rv.session";

    private final IngestSessions sessions;
    private final IngestProperties properties;
    private final MeterRegistry meters;

    StreamWebSocketHandler(IngestSessions sessions, IngestProperties properties, MeterRegistry meters) {
        this.sessions = sessions;
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        IngestSession session = sessions.open(raw);
        raw.getAttributes().put(SESSION, session);
        // removed, not just read: an idle socket should not keep a copy of its token for hours
        String handshakeToken = (String) raw.getAttributes().remove(TokenHandshakeInterceptor.TOKEN_ATTRIBUTE);
        if (handshakeToken != null) {
            session.authenticate(handshakeToken);
        }
    }

    /** An unexpected failure answers the contract's INTERNAL error instead of a bare close; other sessions go on. */
    @Override
    public void handleMessage(WebSocketSession raw, WebSocketMessage<?> message) throws Exception {
        try {
            IngestSession session = session(raw);
            session.connection().heard();
            IngestProperties.Limits limits = properties.limits();
            Object whole = session.connection().assembler().add(message, limits.maxFrameBytes(), limits.maxTextBytes());
            if (whole instanceof MessageAssembler.Oversized over) {
                session.error(
                        ErrorCode.TOO_LARGE,
                        over.text()
                                ? "text frame of " + over.bytesSoFar() + "+ bytes exceeds the limit of "
                                        + limits.maxTextBytes()
                                : "audio frame of " + over.bytesSoFar() + "+ bytes exceeds the limit of "
                                        + limits.maxFrameBytes() + " (1 s of 16 kHz PCM is 32000 bytes)");
            } else if (whole != null) {
                super.handleMessage(raw, (WebSocketMessage<?>) whole);
            }
        } catch (RuntimeException e) {
            log.error("unexpected failure handling a frame on {}", raw.getId(), e);
            session(raw).error(ErrorCode.INTERNAL, "internal error; the session cannot go on");
        }
    }

    /** The container's buffers stay small for idle sockets; larger messages come in parts (MessageAssembler). */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    protected void handleTextMessage(WebSocketSession raw, TextMessage message) {
        IngestSession session = session(raw);
        StreamConnection connection = session.connection();
        int perSecond = connection.countControlMessage(System.currentTimeMillis());
        int limit = properties.limits().maxControlMessagesPerSecond();
        if (perSecond > limit) {
            // A flood: refuse the frame; one that keeps going after being told is cut off.
            if (perSecond == limit + 1) {
                session.error(ErrorCode.RATE_LIMITED, "more than " + limit + " text messages per second");
            } else if (perSecond > limit * 5) {
                meters.counter("ingest.errors", "code", ErrorCode.RATE_LIMITED.name())
                        .increment();
                connection.close(CloseStatus.POLICY_VIOLATION.withReason("message flood"));
            }
            return;
        }
        if (message.getPayloadLength() > properties.limits().maxTextBytes()) {
            session.error(
                    ErrorCode.TOO_LARGE,
                    "text frame of " + message.getPayloadLength() + " bytes exceeds the limit of "
                            + properties.limits().maxTextBytes());
            return;
        }
        ClientMessage parsed = ProtocolCodec.parseClient(message.getPayload());
        if (parsed instanceof ClientMessage.Ping) {
            connection.send(new ServerMessage.Pong());
        } else if (parsed instanceof ClientMessage.Start start) {
            session.start(start);
        } else if (parsed instanceof ClientMessage.End) {
            session.end();
        } else if (parsed instanceof ClientMessage.Flush) {
            session.flush();
        } else if (parsed instanceof ClientMessage.Resume resume) {
            session.resume(resume);
        } else if (parsed instanceof ClientMessage.Malformed bad) {
            session.error(ErrorCode.BAD_REQUEST, bad.reason());
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession raw, BinaryMessage message) {
        session(raw).audio(message);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession raw, CloseStatus status) {
        IngestSession session = (IngestSession) raw.getAttributes().get(SESSION);
        if (session != null) {
            sessions.closed(session);
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("transport error on {}: {}", session.getId(), exception.getMessage());
    }

    private static IngestSession session(WebSocketSession raw) {
        return (IngestSession) raw.getAttributes().get(SESSION);
    }
}
