package com.realtimevoice.tools.doctor;

import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.tools.DevTokens;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.databind.JsonNode;

/** Reading what a server answered, and the phrases several checks print. */
final class Texts {

    static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    static final String NGINX_UPGRADE = "nginx: in the location that proxies the stream add  proxy_http_version 1.1;  "
            + "proxy_set_header Upgrade $http_upgrade;  proxy_set_header Connection \"upgrade\";  "
            + "(other proxies and load balancers: enable WebSocket support for this route)";

    private Texts() {}

    static JsonNode parse(String json) {
        try {
            return DevTokens.JSON.readTree(json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String jsonMessage(String body) {
        JsonNode n = parse(body);
        if (n == null) {
            return DevTokens.abbreviate(body, 120);
        }
        String m = n.path("message").asString();
        return m.isEmpty() ? DevTokens.abbreviate(body, 160) : (n.path("code").asString() + " " + m).strip();
    }

    static String stripHtml(String body) {
        return body.replaceAll("(?s)<head>.*?</head>", " ")
                .replaceAll("<[^>]+>", " ")
                .replaceAll("\\s+", " ")
                .strip();
    }

    static String via(RawHttp.Response r) {
        return r.via().isEmpty() ? "" : " [" + r.via() + "]";
    }

    static String closeText(RawWebSocket.Event e) {
        if (e.kind() == RawWebSocket.Event.Kind.CLOSE) {
            return "close " + e.closeCode()
                    + (e.closeReason() == null || e.closeReason().isEmpty() ? "" : " " + e.closeReason());
        }
        return "connection cut: " + e.text();
    }

    /** The fix for an error code the server sent in an {@code error} message. */
    static String errorFix(String code) {
        ErrorCode known = ErrorCode.of(code);
        if (known == null) {
            return "see the ingest-service and asr-worker logs";
        }
        return switch (known) {
            case RATE_LIMITED ->
                "this user has too many open sessions (INGEST_MAX_SESSIONS_PER_USER): close some, or use another --user";
            case OVERLOADED -> "ingest-service cannot publish to Kafka: check KAFKA_BOOTSTRAP_SERVERS and the brokers";
            case ENGINE_UNAVAILABLE ->
                "the asr-worker cannot run its engine: see its log (ASR_ENGINE, ASR_VOSK_MODEL_PATH, TENCENT_*)";
            case UNSUPPORTED_FORMAT -> "the server does not take 16 kHz PCM: an incompatible server version?";
            default -> "see the ingest-service and asr-worker logs";
        };
    }
}
