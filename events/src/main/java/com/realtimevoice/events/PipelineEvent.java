package com.realtimevoice.events;

/** Anything that travels on the pipeline's topics. Every event belongs to exactly one session. */
public sealed interface PipelineEvent
        permits SessionStarted,
                SessionResumed,
                AudioChunk,
                SessionEnded,
                TranscriptPartial,
                TranscriptFinal,
                SessionCompleted,
                SessionFailed,
                SessionFlushed,
                SpeechStarted,
                WatchJoined,
                WatchSynced,
                WatchRevoked {

    String sessionId();
}
