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
            default -> new Malformed("unknown type \"" + abbreviate(type.asString()) + "\"; expected start, end, stop, ping or resume");
        };
    }

    private static ClientMessage parseResume(JsonNode node) {
        String bad = firstBreach(node, ClientLimits.SESSION_ID, ClientLimits.RESUME_TOKEN, ClientLimits.LAST_INDEX,
                ClientLimits.NEXT_SEQ, ClientLimits.TOKEN);
        if (bad != null) {
            return new Malformed(bad);
        }
        String sessionId = text(node, "sessionId");
        String resumeToken = text(node, "resumeToken");
        if (sessionId == null || resumeToken == null) {
            return new Malformed("resume needs \"sessionId\" and \"resumeToken\" (from the started message)");
        }
        JsonNode next = node.get("nextSeq");
        return new Resume(sessionId, resumeToken, (int) ClientLimits.integer(node.get("lastIndex"), -1),
                next == null || next.isNull() ? null : next.longValue(), text(node, "token"));
    }

    private static ClientMessage parseStart(JsonNode node) {
        JsonNode interim = node.get("interimResults");
        if (interim != null && !interim.isNull() && !interim.isBoolean()) {
            return new Malformed("`interimResults` must be true or false");
        }
        // userId: any JSON scalar, as the old service's clients send it ("userId": 1); the token's subject is the user
        String bad = firstBreach(node, ClientLimits.TOKEN, ClientLimits.USER_ID, ClientLimits.FORMAT, ClientLimits.CHANNELS,
                ClientLimits.SAMPLE_RATE, ClientLimits.LANGUAGE, ClientLimits.ENGINE);
        if (bad != null) {
            return new Malformed(bad);
        }
        String format = text(node, "format");
        // extension: "channels" (default 1) travels folded into the format, "pcm;channels=2", as audio/L16 does
        String descriptor = StreamFormat.descriptor(format == null ? "pcm" : format.toLowerCase(java.util.Locale.ROOT),
                (int) ClientLimits.integer(node.get("channels"), 1));
        if (descriptor.length() > ClientLimits.FORMAT.max) {
            return new Malformed("`format` with `channels` folded in (\"" + descriptor.substring(0, Math.min(24, descriptor.length()))
                    + "\") must be at most " + ClientLimits.FORMAT.max + " characters");
        }
        return new Start(
                text(node, "token"),
                descriptor,
                (int) ClientLimits.integer(node.get("sampleRate"), 16000),
                text(node, "language"),
                text(node, "engine"),
                interim == null || interim.isNull() || interim.asBoolean());
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

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isString() ? null : v.asString();
    }
}
