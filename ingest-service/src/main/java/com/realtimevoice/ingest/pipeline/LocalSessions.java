package com.realtimevoice.ingest.pipeline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The sessions whose results this node delivers: session id -> the sink waiting for them. */
@Component
public class LocalSessions {

    private final Map<String, ResultSink> sinks = new ConcurrentHashMap<>();

    public void register(String sessionId, ResultSink sink) {
        sinks.put(sessionId, sink);
    }

    public void unregister(String sessionId) {
        sinks.remove(sessionId);
    }

    /** The sink waiting for this session's results, or null when it is not on this node. */
    public ResultSink sink(String sessionId) {
        return sinks.get(sessionId);
    }

    public int size() {
        return sinks.size();
    }
}
