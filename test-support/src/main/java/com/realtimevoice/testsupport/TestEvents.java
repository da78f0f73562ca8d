package com.realtimevoice.testsupport;

import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;

/** Pipeline events as tests start sessions: 16 kHz PCM in English on vosk, with interim results, replies to the node. */
public final class TestEvents {

    private TestEvents() {}

    /** A streaming session opened on {@code nodeId}, which takes its replies on its delivery topic. */
    public static SessionStarted started(String sessionId, String userId, String nodeId, long startedAtMs) {
        return started(sessionId, userId, nodeId, startedAtMs, null, null);
    }

    /** The same with the client's endpointing (null: the worker's default) and speech events (null: none). */
    public static SessionStarted started(
            String sessionId,
            String userId,
            String nodeId,
            long startedAtMs,
            Integer endpointingMs,
            Boolean speechEvents) {
        return new SessionStarted(
                sessionId,
                userId,
                nodeId,
                Topics.delivery(nodeId),
                "pcm",
                16000,
                "en",
                "vosk",
                true,
                false,
                startedAtMs,
                false,
                endpointingMs,
                speechEvents,
                null);
    }
}
