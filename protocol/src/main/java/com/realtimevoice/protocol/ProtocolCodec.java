package com.realtimevoice.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON codec of the client protocol, for both ends. The server side ({@link #parseClient},
 * {@link #write(ServerMessage)}) keeps the old service's leniency and today's bytes: a client frame is checked
 * against {@link ClientLimits} and never throws; a server message's fields come in a fixed order.
 *
 * <p>At the ~400-line guide: every message of the contract, both directions, in the one codec the issue asks for.
 */
public final class ProtocolCodec {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProtocolCodec() {}

    // ---- client -> server

    /** Parses a client text frame; malformed input becomes a {@link ClientMessage.Malformed} naming the fault. */
    public static ClientMessage parseClient(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            return new ClientMessage.Malformed("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new ClientMessage.Malformed("a text frame must be a JSON object with a \"type\"");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isString()) {
            return new ClientMessage.Malformed("missing \"type\"");
        }
        return switch (type.asString()) {
            case "start" -> parseStart(node);
            case "end", "stop" -> new ClientMessage.End();
            case "ping" -> new ClientMessage.Ping();
            case "resume" -> parseResume(node);
            case "flush" -> new ClientMessage.Flush();
            default ->
                new ClientMessage.Malformed("unknown type \"" + abbreviate(type.asString())
                        + "\"; expected start, end, stop, flush, ping or resume");
        };
    }

    /** The JSON text a client sends for {@code message}. */
    public static String write(ClientMessage message) {
        if (message instanceof ClientMessage.Start s) {
            Map<String, Object> m = message("start");
            putIfPresent(m, "token", s.token());
            int semicolon = s.format().indexOf(";channels=");
            if (semicolon < 0) {
                m.put("format", s.format());
            } else {
                m.put("format", s.format().substring(0, semicolon));
                m.put("channels", Integer.parseInt(s.format().substring(semicolon + ";channels=".length())));
            }
            m.put("sampleRate", s.sampleRate());
            putIfPresent(m, "language", s.language());
            putIfPresent(m, "engine", s.engine());
            m.put("interimResults", s.interimResults());
            if (s.wordTimestamps()) {
                m.put("wordTimestamps", true);
            }
            putIfPresent(m, "endpointingMs", s.endpointingMs());
            if (s.speechEvents()) {
                m.put("speechEvents", true);
            }
            putOptions(m, s.options());
            return write(m);
        }
        if (message instanceof ClientMessage.Resume r) {
            Map<String, Object> m = message("resume");
            m.put("sessionId", r.sessionId());
            m.put("resumeToken", r.resumeToken());
            m.put("lastIndex", r.lastIndex());
            putIfPresent(m, "nextSeq", r.nextSeq());
            putIfPresent(m, "token", r.token());
            return write(m);
        }
        if (message instanceof ClientMessage.End) {
            return write(message("end"));
        }
        if (message instanceof ClientMessage.Ping) {
            return write(message("ping"));
        }
        if (message instanceof ClientMessage.Flush) {
            return write(message("flush"));
        }
        throw new IllegalArgumentException(
                "a malformed message is not sent: " + ((ClientMessage.Malformed) message).reason());
    }

    private static ClientMessage parseResume(JsonNode node) {
        String bad = firstBreach(
                node,
                ClientLimits.SESSION_ID,
                ClientLimits.RESUME_TOKEN,
                ClientLimits.LAST_INDEX,
                ClientLimits.NEXT_SEQ,
                ClientLimits.TOKEN);
        if (bad != null) {
            return new ClientMessage.Malformed(bad);
        }
        String sessionId = text(node, "sessionId");
        String resumeToken = text(node, "resumeToken");
        if (sessionId == null || resumeToken == null) {
            return new ClientMessage.Malformed(
                    "resume needs \"sessionId\" and \"resumeToken\" (from the started message)");
        }
        JsonNode next = node.get("nextSeq");
        return new ClientMessage.Resume(
                sessionId,
                resumeToken,
                (int) ClientLimits.integer(node.get("lastIndex"), -1),
                next == null || next.isNull() ? null : next.longValue(),
                text(node, "token"));
    }

    private static ClientMessage parseStart(JsonNode node) {
        JsonNode interim = node.get("interimResults");
        if (interim != null && !interim.isNull() && !interim.isBoolean()) {
            return new ClientMessage.Malformed("`interimResults` must be true or false");
        }
        JsonNode words = node.get("wordTimestamps");
        if (words != null && !words.isNull() && !words.isBoolean()) {
            return new ClientMessage.Malformed("`wordTimestamps` must be true or false");
        }
        JsonNode speechEvents = node.get("speechEvents");
        if (speechEvents != null && !speechEvents.isNull() && !speechEvents.isBoolean()) {
            return new ClientMessage.Malformed("`speechEvents` must be true or false");
        }
        Object options = RecognitionOptions.parse(node);
        if (options instanceof String reason) {
            return new ClientMessage.Malformed(reason);
        }
        // userId: any JSON scalar, as the old service's clients send it ("userId": 1); the token's subject is the user
        String bad = firstBreach(
                node,
                ClientLimits.TOKEN,
                ClientLimits.USER_ID,
                ClientLimits.FORMAT,
                ClientLimits.CHANNELS,
                ClientLimits.SAMPLE_RATE,
                ClientLimits.LANGUAGE,
                ClientLimits.ENGINE,
                ClientLimits.ENDPOINTING_MS);
        if (bad != null) {
            return new ClientMessage.Malformed(bad);
        }
        String format = text(node, "format");
        // extension: "channels" (default 1) travels folded into the format, "pcm;channels=2", as audio/L16 does
        String descriptor = descriptor(format == null ? "pcm" : format.toLowerCase(Locale.ROOT), (int)
                ClientLimits.integer(node.get("channels"), 1));
        if (descriptor.length() > ClientLimits.FORMAT.max) {
            return new ClientMessage.Malformed("`format` with `channels` folded in (\""
                    + descriptor.substring(0, Math.min(24, descriptor.length())) + "\") must be at most "
                    + ClientLimits.FORMAT.max + " characters");
        }
        JsonNode endpointing = node.get("endpointingMs");
        return new ClientMessage.Start(
                text(node, "token"),
                descriptor,
                (int) ClientLimits.integer(node.get("sampleRate"), 16000),
                text(node, "language"),
                text(node, "engine"),
                interim == null || interim.isNull() || interim.asBoolean(),
                words != null && !words.isNull() && words.asBoolean(),
                endpointing == null || endpointing.isNull() ? null : (int) ClientLimits.integer(endpointing, 0),
                speechEvents != null && !speechEvents.isNull() && speechEvents.asBoolean(),
                (RecognitionOptions) options);
    }

    /** A start's hotwords and output controls, only those asked for (a start without them is today's bytes). */
    private static void putOptions(Map<String, Object> m, RecognitionOptions o) {
        if (!o.hotwords().isEmpty()) {
            m.put("hotwords", o.hotwords());
        }
        putIfPresent(m, "punctuation", o.punctuation());
        putIfPresent(m, "numbers", o.numbers());
        putIfPresent(m, "profanity", o.profanity());
    }

    /** The format descriptor of a start message: its {@code format} with a {@code channels} other than 1 folded in. */
    private static String descriptor(String format, int channels) {
        return channels == 1 ? format : format + ";channels=" + channels;
    }

    /** The first field of {@code node} outside its limits, as a reason naming it; null if all are within. */
    private static String firstBreach(JsonNode node, ClientLimits... limits) {
        for (ClientLimits limit : limits) {
            String bad = limit.check(node.get(limit.field));
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 29) + "...";
    }

    // ---- server -> client

    /** The JSON text the server sends for {@code message}. */
    public static String write(ServerMessage message) {
        if (message instanceof ServerMessage.Other o) {
            return o.json();
        }
        Map<String, Object> m;
        if (message instanceof ServerMessage.Started s) {
            m = message("started");
            m.put("sessionId", s.sessionId());
            m.put("resumeToken", s.resumeToken());
            m.put("format", s.format());
            m.put("sampleRate", s.sampleRate());
            m.put("interimResults", s.interimResults());
            if (s.options() != null) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("wordTimestamps", s.options().wordTimestamps());
                o.put("hotwords", s.options().hotwords());
                o.put("punctuation", s.options().punctuation());
                o.put("numbers", s.options().numbers());
                o.put("profanity", s.options().profanity());
                m.put("options", o);
            }
        } else if (message instanceof ServerMessage.Partial p) {
            m = message("partial");
            m.put("sessionId", p.sessionId());
            m.put("index", p.index());
            m.put("text", p.text());
        } else if (message instanceof ServerMessage.Final f) {
            m = message("final");
            m.put("sessionId", f.sessionId());
            m.put("index", f.index());
            m.put("text", f.text());
            m.put("startMs", f.startMs());
            m.put("endMs", f.endMs());
            if (f.words() != null) {
                m.put("words", f.words().stream().map(ProtocolCodec::word).toList());
            }
        } else if (message instanceof ServerMessage.Completed c) {
            m = message("completed");
            m.put("sessionId", c.sessionId());
            m.put("text", c.text() == null ? "" : c.text());
            m.put("segments", c.segments());
        } else if (message instanceof ServerMessage.Error e) {
            m = message("error");
            m.put("code", e.code());
            m.put("message", e.message());
            putIfPresent(m, "recovered", e.recovered());
        } else if (message instanceof ServerMessage.Ack a) {
            m = message("ack");
            m.put("sessionId", a.sessionId());
            m.put("seq", a.seq());
        } else if (message instanceof ServerMessage.Resumed r) {
            m = message("resumed");
            m.put("sessionId", r.sessionId());
            m.put("lastIndex", r.lastIndex());
            m.put("nextSeq", r.nextSeq());
        } else if (message instanceof ServerMessage.SpeechStarted s) {
            m = message("speech_started");
            m.put("sessionId", s.sessionId());
            m.put("atMs", s.atMs());
        } else {
            m = message("pong");
        }
        return write(m);
    }

    /**
     * Parses a server text frame (for clients). A message of a type this version does not know is an
     * {@link ServerMessage.Other}; text that is not a JSON object with a {@code type} is an IllegalArgumentException.
     */
    public static ServerMessage parseServer(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("type").isString()) {
            throw new IllegalArgumentException("not a message: " + abbreviate(text));
        }
        String type = node.get("type").asString();
        return switch (type) {
            case "started" ->
                new ServerMessage.Started(
                        text(node, "sessionId"),
                        text(node, "resumeToken"),
                        text(node, "format"),
                        node.path("sampleRate").asInt(0),
                        node.path("interimResults").asBoolean(false),
                        options(node.get("options")));
            case "partial" ->
                new ServerMessage.Partial(
                        text(node, "sessionId"), node.path("index").asInt(0), text(node, "text"));
            case "final" ->
                new ServerMessage.Final(
                        text(node, "sessionId"),
                        node.path("index").asInt(0),
                        text(node, "text"),
                        node.path("startMs").asLong(0),
                        node.path("endMs").asLong(0),
                        words(node.get("words")));
            case "completed" ->
                new ServerMessage.Completed(
                        text(node, "sessionId"),
                        text(node, "text"),
                        node.path("segments").asInt(0));
            case "error" ->
                new ServerMessage.Error(
                        text(node, "code"),
                        text(node, "message"),
                        node.path("recovered").isBoolean()
                                ? node.get("recovered").asBoolean()
                                : null);
            case "pong" -> new ServerMessage.Pong();
            case "ack" ->
                new ServerMessage.Ack(text(node, "sessionId"), node.path("seq").asLong(0));
            case "resumed" ->
                new ServerMessage.Resumed(
                        text(node, "sessionId"),
                        node.path("lastIndex").asInt(0),
                        node.path("nextSeq").asLong(0));
            case "speech_started" ->
                new ServerMessage.SpeechStarted(
                        text(node, "sessionId"), node.path("atMs").asLong(0));
            default -> new ServerMessage.Other(type, text);
        };
    }

    /** What a {@code started} says is in effect; null from a server that does not say. */
    private static ServerMessage.Options options(JsonNode o) {
        if (o == null || !o.isObject()) {
            return null;
        }
        List<String> hotwords = new ArrayList<>();
        o.path("hotwords").forEach(w -> hotwords.add(w.asString()));
        return new ServerMessage.Options(
                o.path("wordTimestamps").asBoolean(false),
                hotwords,
                o.path("punctuation").asBoolean(false),
                text(o, "numbers"),
                text(o, "profanity"));
    }

    private static Map<String, Object> word(ServerMessage.Word w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("word", w.word());
        m.put("startMs", w.startMs());
        m.put("endMs", w.endMs());
        putIfPresent(m, "confidence", w.confidence());
        return m;
    }

    /** A final's words as a client reads them: null when the final has none (the session did not ask). */
    private static List<ServerMessage.Word> words(JsonNode words) {
        if (words == null || !words.isArray()) {
            return null;
        }
        List<ServerMessage.Word> out = new ArrayList<>(words.size());
        for (JsonNode w : words) {
            JsonNode confidence = w.get("confidence");
            out.add(new ServerMessage.Word(
                    text(w, "word"),
                    w.path("startMs").asLong(0),
                    w.path("endMs").asLong(0),
                    confidence == null || !confidence.isNumber() ? null : confidence.asDouble()));
        }
        return out;
    }

    private static Map<String, Object> message(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        return m;
    }

    private static void putIfPresent(Map<String, Object> m, String field, Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }

    private static String write(Map<String, Object> m) {
        return JSON.writeValueAsString(m);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isString() ? null : v.asString();
    }
}
