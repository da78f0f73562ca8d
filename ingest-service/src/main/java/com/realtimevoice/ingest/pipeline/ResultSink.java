package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;

/** Whoever on this node waits for a session's results: a WebSocket, or a one-shot upload. */
public interface ResultSink {

    void onPartial(TranscriptPartial partial);

    /** Speech began (sessions that asked for speech events); an upload never asks, hence the default. */
    default void onSpeechStarted(SpeechStarted speech) {}

    void onFinal(TranscriptFinal fin);

    void onCompleted(SessionCompleted completed);

    void onFailed(SessionFailed failed);
}
