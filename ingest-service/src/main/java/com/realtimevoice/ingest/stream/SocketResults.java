package com.realtimevoice.ingest.stream;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.pipeline.ResultSink;
import com.realtimevoice.protocol.ServerMessage;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Results of one session, sent to its socket in the order they arrive (the order of the segments); its completion
 * or failure ends the session on its {@link IngestSession} before the client hears of it.
 */
final class SocketResults implements ResultSink {

    private final IngestSession session;
    private final StreamConnection connection;
    private final MeterRegistry meters;

    SocketResults(IngestSession session, MeterRegistry meters) {
        this.session = session;
        this.connection = session.connection();
        this.meters = meters;
    }

    @Override
    public void onPartial(TranscriptPartial partial) {
        connection.send(new ServerMessage.Partial(partial.sessionId(), partial.index(), partial.text()));
    }

    @Override
    public void onSpeechStarted(SpeechStarted speech) {
        connection.send(new ServerMessage.SpeechStarted(speech.sessionId(), speech.atMs()));
    }

    @Override
    public void onFinal(TranscriptFinal fin) {
        ActiveSession current = connection.session();
        if (current != null && current.sessionId().equals(fin.sessionId())) {
            current.finalSent(fin.index());
        }
        connection.send(com.realtimevoice.ingest.pipeline.ResultMessages.finalOf(fin));
    }

    @Override
    public void onCompleted(SessionCompleted completed) {
        ActiveSession current = connection.session();
        if (current != null
                && current.sessionId().equals(completed.sessionId())
                && current.lacksFinalsOf(completed.segments())) {
            // The completion came by the route the session had before this resume (its finals went to the node the
            // client had left), ahead of the resume's catch-up, which is in order behind it on the audio topic and
            // brings every stored final and completed again. Told now, the client would end without those finals.
            meters.counter("ingest.sessions.completion_held").increment();
            return;
        }
        session.ended(completed.sessionId()); // first, so a start sent right after completed is not refused
        connection.send(new ServerMessage.Completed(completed.sessionId(), completed.text(), completed.segments()));
        meters.counter("ingest.sessions.ended", "outcome", "completed").increment();
    }

    @Override
    public void onFailed(SessionFailed failed) {
        ActiveSession current = connection.session();
        boolean resumed = current != null && current.resumed();
        session.ended(failed.sessionId());
        connection.send(
                resumed
                        ? new ServerMessage.Error(failed.code(), failed.message(), false)
                        : new ServerMessage.Error(failed.code(), failed.message(), null));
        meters.counter("ingest.sessions.ended", "outcome", "failed").increment();
    }
}
