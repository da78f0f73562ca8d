package com.realtimevoice.ingest.stream;

import java.util.LinkedHashMap;
import java.util.Map;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;

import tools.jackson.databind.json.JsonMapper;

/** JSON text of every server -> client message in the contract. */
final class ServerMessages {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ServerMessages() {
    }

    static String pong() {
        return "{\"type\":\"pong\"}";
    }

    static String started(String sessionId, String resumeToken, String format, int sampleRate, boolean interimResults) {
        Map<String, Object> m = message("started");
        m.put("sessionId", sessionId);
        m.put("resumeToken", resumeToken);
        m.put("format", format);
        m.put("sampleRate", sampleRate);
        m.put("interimResults", interimResults);
        return write(m);
    }

    static String partial(TranscriptPartial p) {
        Map<String, Object> m = message("partial");
        m.put("sessionId", p.sessionId());
        m.put("index", p.index());
        m.put("text", p.text());
        return write(m);
    }

    static String fin(TranscriptFinal f) {
        Map<String, Object> m = message("final");
        m.put("sessionId", f.sessionId());
        m.put("index", f.index());
        m.put("text", f.text());
        m.put("startMs", f.startMs());
        m.put("endMs", f.endMs());
        return write(m);
    }

    static String completed(SessionCompleted c) {
        Map<String, Object> m = message("completed");
        m.put("sessionId", c.sessionId());
        m.put("text", c.text() == null ? "" : c.text());
        m.put("segments", c.segments());
        return write(m);
    }

    static String ack(String sessionId, long seq) {
        Map<String, Object> m = message("ack");
        m.put("sessionId", sessionId);
        m.put("seq", seq);
        return write(m);
    }

    static String resumed(String sessionId, int lastIndex, long nextSeq) {
        Map<String, Object> m = message("resumed");
        m.put("sessionId", sessionId);
        m.put("lastIndex", lastIndex);
        m.put("nextSeq", nextSeq);
        return write(m);
    }

    /** A session error after a resume says whether the session could be picked up again. */
    static String error(String code, String message, boolean recovered) {
        Map<String, Object> m = message("error");
        m.put("code", code);
        m.put("message", message);
        m.put("recovered", recovered);
        return write(m);
    }

    static String error(ErrorCode code, String message) {
        Map<String, Object> m = message("error");
        m.put("code", code.name());
        m.put("message", message);
        return write(m);
    }

    static String error(String code, String message) {
        Map<String, Object> m = message("error");
        m.put("code", code);
        m.put("message", message);
        return write(m);
    }

    private static Map<String, Object> message(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        return m;
    }

    private static String write(Map<String, Object> m) {
        return JSON.writeValueAsString(m);
    }
}
