package com.realtimevoice.ingest.pipeline;

import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.protocol.ServerMessage;

/** The client message of a pipeline result, the same for a speaker's socket and a watcher's. */
public final class ResultMessages {

    private ResultMessages() {}

    /** A final as the contract sends it: words only when the session asked for them. */
    public static ServerMessage.Final finalOf(TranscriptFinal fin) {
        return new ServerMessage.Final(
                fin.sessionId(),
                fin.index(),
                fin.text(),
                fin.startMs(),
                fin.endMs(),
                fin.words() == null
                        ? null
                        : fin.words().stream()
                                .map(w -> new ServerMessage.Word(w.word(), w.startMs(), w.endMs(), w.confidence()))
                                .toList());
    }
}
