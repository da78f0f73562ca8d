package com.realtimevoice.ingest.stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A parsed client text frame. Parsing never throws: malformed input becomes a {@link Malformed}. */
sealed interface ClientMessage {

    JsonMapper JSON = JsonMapper.builder().build();

    record Start(String token, String format, int sampleRate, String language, String engine, boolean interimResults)
            implements ClientMessage {
    }

    record End() implements ClientMessage {
    }

    record Ping() implements ClientMessage {
    }

    /** {@code nextSeq} and {@code token} are extensions: the first chunk the client will re-send, and its token. */
    record Resume(String sessionId, String resumeToken, int lastIndex, Long nextSeq, String token) implements ClientMessage {
    }

    record Malformed(String reason) implements ClientMessage {
    }

    static ClientMessage parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            return new Malformed("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Malformed("a text frame must be a JSON object with a \"type\"");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isString()) {
            return new Malformed("missing \"type\"");
        }
        return switch (type.asString()) {
            case "start" -> parseStart(node);
            case "end", "stop" -> new End();
            case "ping" -> new Ping();
            case "resume" -> parseResume(node);
            default -> new Malformed("unknown type \"" + type.asString() + "\"; expected start, end, stop, ping or resume");
        };
    }

    private static ClientMessage parseResume(JsonNode node) {
        String sessionId = text(node, "sessionId");
        String resumeToken = text(node, "resumeToken");
        if (sessionId == null || resumeToken == null) {
            return new Malformed("resume needs \"sessionId\" and \"resumeToken\" (from the started message)");
        }
        JsonNode last = node.get("lastIndex");
        if (last != null && !last.isNull() && !last.isIntegralNumber()) {
            return new Malformed("lastIndex must be an integer");
        }
        JsonNode next = node.get("nextSeq");
        if (next != null && !next.isNull() && (!next.isIntegralNumber() || next.asLong() < 0)) {
            return new Malformed("nextSeq must be a non-negative integer");
        }
        return new Resume(sessionId, resumeToken, last == null || last.isNull() ? -1 : last.asInt(),
                next == null || next.isNull() ? null : next.asLong(), text(node, "token"));
    }

    private static ClientMessage parseStart(JsonNode node) {
        String format = text(node, "format");
        JsonNode rate = node.get("sampleRate");
        if (rate != null && !rate.isNull() && !rate.isIntegralNumber()) {
            return new Malformed("sampleRate must be an integer");
        }
        JsonNode channels = node.get("channels");
        if (channels != null && !channels.isNull() && !channels.isIntegralNumber()) {
            return new Malformed("channels must be an integer");
        }
        JsonNode interim = node.get("interimResults");
        if (interim != null && !interim.isNull() && !interim.isBoolean()) {
            return new Malformed("interimResults must be true or false");
        }
        for (String field : new String[] {"token", "format", "language", "engine", "userId"}) {
            JsonNode v = node.get(field);
            if (v != null && !v.isNull() && !v.isString()) {
                return new Malformed(field + " must be a string");
            }
        }
        String language = text(node, "language");
        String engine = text(node, "engine");
        if ((language != null && !language.matches("[A-Za-z0-9_-]{1,32}")) || (engine != null && !engine.matches("[A-Za-z0-9_-]{1,32}"))) {
            return new Malformed("language and engine must be 1-32 characters of [A-Za-z0-9_-]");
        }
        return new Start(
                text(node, "token"),
                // extension: "channels" (default 1) travels folded into the format, "pcm;channels=2", as audio/L16 does
                StreamFormat.descriptor(format == null ? "pcm" : format.toLowerCase(java.util.Locale.ROOT),
                        channels == null || channels.isNull() ? 1 : channels.asInt()),
                rate == null || rate.isNull() ? 16000 : rate.asInt(),
                language,
                engine,
                interim == null || interim.isNull() || interim.asBoolean());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isString() ? null : v.asString();
    }
}
