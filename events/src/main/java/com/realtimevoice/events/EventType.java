package com.realtimevoice.events;

import java.util.Arrays;

/** The short tokens that name each event on the wire (header {@link EventHeaders#TYPE}). */
public enum EventType {
    SESSION_STARTED("session.started", SessionStarted.class),
    SESSION_RESUMED("session.resumed", SessionResumed.class),
    AUDIO_CHUNK("audio.chunk", AudioChunk.class),
    SESSION_ENDED("session.ended", SessionEnded.class),
    TRANSCRIPT_PARTIAL("transcript.partial", TranscriptPartial.class),
    TRANSCRIPT_FINAL("transcript.final", TranscriptFinal.class),
    SESSION_COMPLETED("session.completed", SessionCompleted.class),
    SESSION_FAILED("session.failed", SessionFailed.class),
    SESSION_FLUSHED("session.flushed", SessionFlushed.class),
    SPEECH_STARTED("speech.started", SpeechStarted.class),
    WATCH_JOINED("watch.joined", WatchJoined.class),
    WATCH_SYNCED("watch.synced", WatchSynced.class),
    WATCH_REVOKED("watch.revoked", WatchRevoked.class);

    private final String token;
    private final Class<? extends PipelineEvent> recordType;

    EventType(String token, Class<? extends PipelineEvent> recordType) {
        this.token = token;
        this.recordType = recordType;
    }

    public String token() {
        return token;
    }

    public Class<? extends PipelineEvent> recordType() {
        return recordType;
    }

    public static EventType fromToken(String token) {
        return Arrays.stream(values())
                .filter(t -> t.token.equals(token))
                .findFirst()
                .orElseThrow(() -> new MalformedEventException("unknown event type '" + token + "'"));
    }

    public static EventType of(PipelineEvent event) {
        return Arrays.stream(values())
                .filter(t -> t.recordType == event.getClass())
                .findFirst()
                .orElseThrow();
    }
}
