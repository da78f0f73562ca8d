package com.realtimevoice.worker.recognition;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.Word;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.text.OutputControls;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session open on this worker: its recognizer (a streaming engine's stream, or a segment engine's
 * {@link SegmentedRecognition}), its decoder, where it is in the session (chunk seq, final index, node, resume shift),
 * its idle timer, and what it does with each of its events. {@link WorkerSessions} owns every open one and remembers
 * closed ones; it calls the event methods holding this instance's monitor (a session's lane and the idle sweeper may
 * both touch it).
 *
 * <p>An event method that closes the session (end, failure) sets {@link #closedBy} to its trigger and closes the
 * recognizer; the table then forgets the session and remembers its last outputs for redeliveries.
 *
 * <p>The rest of a session's state on this worker lives where its lifetime differs: the thread its events run on
 * ({@link SessionLanes}, kept while any of its events are queued, even after it closed) and its start's offset
 * ({@link CommitPositions}, held until its last output is on the broker, after the recognizer is gone).
 */
final class WorkerSession {

    private static final Logger log = LoggerFactory.getLogger(WorkerSession.class);

    final SessionStarted started;
    final String engine;
    /** The streaming engine's stream; null for a session on a segment engine. */
    final RecognitionStream stream;
    /** Client encoding -> 16 kHz mono PCM. */
    final AudioConverter audio;
    /** A session on a segment engine (Tencent, two-pass); null for a streaming engine. */
    final SegmentedRecognition segmented;

    /** The session's profanity and numbers controls, applied to a streaming engine's text. */
    private final OutputControls controls;

    private final RecognitionMetrics metrics;
    private final Clock clock;

    /** Index of the next final; partials carry it too. */
    int nextIndex;
    /** Last partial text sent for the current segment, to send each text once. */
    private String lastPartial = "";
    /** Seq of the last chunk fed, to recognise redeliveries and re-sent chunks after a resume. */
    private long lastSeq = -1;
    /** Added to chunk seqs after a resume whose client did not say where its audio resumes. */
    private long seqShift;
    /** The ingest node holding the session's socket (moves on resume). */
    private String node;
    /** Ingest receive time of the last chunk, for the latency field of finals. */
    private long lastReceivedAtMs;
    /** Wall-clock time of the last event handled: the idle timer ({@link WorkerSessions#evictIdle}). */
    private long lastActivityMs;
    /** What the last handled event produced, republished if that event is redelivered. */
    List<PipelineEvent> lastOutputs = List.of();
    /** The last flush handled and what it produced, republished if it is redelivered. */
    private SessionFlushed lastFlush;

    private List<PipelineEvent> lastFlushOutputs = List.of();
    boolean closed;
    /** The event that closed the session ({@code end}, {@code chunk#<seq>}, ...); null while it is open or when dropped. */
    String closedBy;

    /**
     * Whether a takeover may resume this session at a {@link ReplayPoint}: a plain streaming recognizer (no detector
     * of the worker's beside it) on PCM, whose state after a final is clean and whose input needs nothing earlier.
     */
    private final boolean replayable;
    /** Records at or before this offset were recognised before a takeover: their audio is not fed again. */
    private long skipThrough = -1;
    /** After a takeover: the point to reach through the lead-in (outputs discarded); null once reached. */
    private ReplayPoint leadInTo;
    /** Added to the engine's times: the audio before the position this recognizer started at. */
    private long timeOffsetMs;
    /** 16 kHz PCM bytes of the session's audio before the engine's current position (the replay point's clock). */
    private long pcmBytes;
    /** Whether the engine's last results ended with a final, so that its state is clean after the last chunk. */
    private boolean atBoundary;
    /** Where a takeover may resume the session; read by the listener after each record (other thread). */
    private volatile ReplayPoint replayPoint;
    /** Whether the engine's last non-empty results ended with a partial: it is inside an utterance. */
    private boolean inSpeech;
    /**
     * This session's last records fed to the engine, for the lead-in: their offsets and {@link #pcmBytes} after each,
     * a ring of {@link #RECENT_RECORDS} (primitive arrays: this runs for every chunk). Null unless replayable.
     */
    private final long[] recentOffsets;

    private final long[] recentBytes;
    private int recentCount;

    /** 16 kHz, 16-bit mono. */
    private static final long BYTES_PER_MS = AudioConverter.PIPELINE_RATE * 2 / 1000;
    /**
     * How much audio before a replay point a takeover recognises again, outputs discarded, to put the new recognizer
     * where the old one was (after a sentence's trailing silence). Measured: resuming cold at the point reads the next
     * sentence slightly differently ("order pizza" for "order a pizza"); half a second brings back the same text.
     */
    private static final long LEAD_IN_MS = 500;
    /** Records remembered for the lead-in: enough for LEAD_IN_MS in 20 ms chunks. */
    private static final int RECENT_RECORDS = 32;

    WorkerSession(
            SessionStarted started,
            String engine,
            RecognitionStream stream,
            AudioConverter audio,
            SegmentedRecognition segmented,
            RecognitionMetrics metrics,
            Clock clock) {
        this.started = started;
        this.engine = engine;
        this.stream = stream;
        this.audio = audio;
        this.segmented = segmented;
        this.metrics = metrics;
        this.clock = clock;
        this.lastActivityMs = clock.millis();
        this.node = started.nodeId();
        // streaming engines (Vosk) spell numbers out: "digits" is the worker's conversion
        this.controls = OutputControls.of(started.recognition(), true);
        this.replayable = stream != null
                && !(stream instanceof VoiceTrackedStream)
                && audio.format().codec() == com.realtimevoice.worker.audio.AudioFormat.Codec.PCM;
        this.recentOffsets = replayable ? new long[RECENT_RECORDS] : null;
        this.recentBytes = replayable ? new long[RECENT_RECORDS] : null;
    }

    /**
     * A takeover: the worker that had the session recognised it up to {@code point}. Its records up to there are
     * bookkeeping only; the next final has the point's index and the engine's times are shifted by its audio.
     * Ignored for a session that cannot be resumed mid-way (then it is replayed from its start).
     */
    void resumeFrom(ReplayPoint point) {
        if (point == null || !replayable) {
            return;
        }
        skipThrough = point.leadInAfter();
        leadInTo = point;
        timeOffsetMs = point.leadInAudioMs();
        pcmBytes = point.leadInAudioMs() * BYTES_PER_MS;
        replayPoint = point;
    }

    /** The record at {@code offset} is the lead-in's (recognised, outputs discarded). */
    private boolean inLeadIn(long offset) {
        return leadInTo != null && offset >= 0 && offset <= leadInTo.throughOffset();
    }

    /**
     * The lead-in reached the point (its last record, or a later one if that was not this session's); the next final
     * gets the point's index. The lead-in is the end of the sentence the point closed (mostly the silence that ended
     * it): the new recognizer hears it as the old one did, so it goes on as the old one would, Vosk carrying any audio
     * it has not decoded yet (the next sentence's first word) into the next utterance. Only if it is still inside
     * speech there (a lead-in that began mid-word) is its utterance ended here, text discarded.
     */
    private void endLeadIn(long offset) {
        if (leadInTo == null || (offset >= 0 && offset < leadInTo.throughOffset())) {
            return;
        }
        if (inSpeech) {
            metrics.skipped("replay_lead_in_cut");
            try {
                stream.flush();
            } catch (RuntimeException e) {
                log.debug("Session {}: flush at the replay point failed: {}", sessionId(), e.toString());
            }
        }
        nextIndex = leadInTo.nextIndex();
        lastPartial = "";
        atBoundary = true;
        inSpeech = false;
        leadInTo = null;
    }

    /** Where a takeover may resume this session, or null (from its start). */
    ReplayPoint replayPoint() {
        return replayPoint;
    }

    private boolean recognisedBefore(long offset) {
        return offset >= 0 && offset <= skipThrough;
    }

    /**
     * After the engine had the audio of the record at {@code offset}: a final there is a point to resume at, with a
     * lead-in of the {@link #LEAD_IN_MS} of audio before it (not reaching back past the point before).
     */
    private void progressed(long offset) {
        if (!replayable || offset < 0) {
            return;
        }
        int slot = recentCount++ % RECENT_RECORDS;
        recentOffsets[slot] = offset;
        recentBytes[slot] = pcmBytes;
        if (!atBoundary || leadInTo != null) {
            return;
        }
        ReplayPoint before = replayPoint;
        if (before != null && before.throughOffset() == offset) {
            return;
        }
        long leadInAfter = before == null ? -1 : before.throughOffset();
        long leadInBytes = before == null ? 0 : before.audioMs() * BYTES_PER_MS;
        // the newest record before this one that has at least LEAD_IN_MS of audio after it
        int remembered = Math.min(recentCount, RECENT_RECORDS);
        for (int back = 1; back < remembered; back++) {
            int i = Math.floorMod(recentCount - 1 - back, RECENT_RECORDS);
            if (recentOffsets[i] <= leadInAfter) {
                break;
            }
            if (pcmBytes - recentBytes[i] >= LEAD_IN_MS * BYTES_PER_MS) {
                leadInAfter = recentOffsets[i];
                leadInBytes = recentBytes[i];
                break;
            }
        }
        replayPoint =
                new ReplayPoint(leadInAfter, leadInBytes / BYTES_PER_MS, offset, nextIndex, pcmBytes / BYTES_PER_MS);
    }

    String sessionId() {
        return started.sessionId();
    }

    boolean wantsPartials() {
        return started.interimResults() && !started.oneShot();
    }

    /** Whether nothing came for this session since {@code cutoffMs}. */
    boolean idleSince(long cutoffMs) {
        return lastActivityMs < cutoffMs;
    }

    /**
     * The client's flush: what was said so far becomes a final now, and the session goes on. A redelivered flush
     * (its outputs may not have reached Kafka) publishes them again.
     */
    List<PipelineEvent> flush(SessionFlushed flushed) {
        return flush(flushed, -1);
    }

    /** @param offset the record's partition offset, or -1 when unknown (no replay point is recorded) */
    List<PipelineEvent> flush(SessionFlushed flushed, long offset) {
        if (flushed.equals(lastFlush)) {
            metrics.skipped("redelivered");
            return lastFlushOutputs;
        }
        long now = now();
        lastActivityMs = now;
        if (recognisedBefore(offset) || inLeadIn(offset)) {
            if (inLeadIn(offset)) {
                stream.flush(); // as the old recognizer did; its final went out before the takeover
                atBoundary = true;
                inSpeech = false;
                endLeadIn(offset);
            }
            lastFlush = flushed;
            lastFlushOutputs = List.of();
            return lastFlushOutputs;
        }
        endLeadIn(offset);
        List<PipelineEvent> out;
        try {
            // The audio converter may hold a few samples (a resampler's or MP3 decoder's tail): they stay for the
            // next chunk; the segment ends at what the engine has.
            out = segmented != null
                    ? segmented.flush(lastReceivedAtMs)
                    : toEvents(stream.flush(), lastReceivedAtMs, now);
        } catch (RuntimeException e) {
            return engineFailed("flush", e);
        }
        lastFlush = flushed;
        lastFlushOutputs = out;
        atBoundary = true; // the engine finalised what it had
        inSpeech = false;
        progressed(offset);
        return out;
    }

    /**
     * The client reattached, possibly on another node. A client that tracks acks says where its audio resumes
     * ({@code nextSeq}); one that does not continues after whatever is here, so the new node's chunk numbers are
     * shifted past the last chunk seen.
     */
    void resume(SessionResumed resumed) {
        node = resumed.nodeId();
        seqShift = resumed.nextSeq() == null ? lastSeq + 1 : 0;
        lastActivityMs = now();
    }

    /** An {@code abandoned} end from a node the client has left since (it resumed elsewhere). */
    boolean isStaleEnd(SessionEnded ended) {
        return "abandoned".equals(ended.reason())
                && ended.nodeId() != null
                && !ended.nodeId().equals(node);
    }

    List<PipelineEvent> chunk(AudioChunk chunk) {
        return chunk(chunk, -1);
    }

    /** @param offset the record's partition offset, or -1 when unknown (no replay point is recorded) */
    List<PipelineEvent> chunk(AudioChunk chunk, long offset) {
        long now = now();
        lastActivityMs = now;
        if (seqShift != 0) {
            chunk = new AudioChunk(
                    chunk.sessionId(),
                    chunk.seq() + seqShift,
                    chunk.byteOffset(),
                    chunk.format(),
                    chunk.sampleRate(),
                    chunk.receivedAtMs(),
                    chunk.audio());
        }
        if (chunk.seq() <= lastSeq) {
            // A redelivery (the record was retried after its outputs failed to publish): the engine has this
            // audio already; publish again what it produced, once.
            metrics.skipped("duplicate_chunk");
            return chunk.seq() == lastSeq ? lastOutputs : List.of();
        }
        lastSeq = chunk.seq();
        lastReceivedAtMs = chunk.receivedAtMs();
        if (recognisedBefore(offset)) {
            metrics.skipped("before_replay_point"); // its outputs went out before the takeover
            lastOutputs = List.of();
            return lastOutputs;
        }
        boolean leadIn = inLeadIn(offset);
        if (!leadIn) {
            endLeadIn(offset);
        }
        if (segmented != null && segmented.failed()) {
            // The cloud failed a segment with no fallback: session.failed is out already; nothing more to say.
            return terminate("chunk#" + chunk.seq(), List.of());
        }
        byte[] pcm;
        try {
            pcm = audio.convert(chunk.audio());
        } catch (IllegalArgumentException e) {
            log.warn("Session {}: chunk#{} cannot be decoded: {}", sessionId(), chunk.seq(), e.getMessage());
            return terminate(
                    "chunk#" + chunk.seq(), List.of(failure(WorkerSessions.UNSUPPORTED_FORMAT, e.getMessage())));
        }
        List<PipelineEvent> out;
        long start = System.nanoTime();
        try {
            out = recognise(pcm, chunk.receivedAtMs(), now);
        } catch (RuntimeException e) {
            return engineFailed("chunk#" + chunk.seq(), e);
        }
        long nanos = System.nanoTime() - start;
        metrics.chunk(engine, pcm.length, AudioConverter.PIPELINE_RATE, nanos, chunk.receivedAtMs(), now);
        if (leadIn) {
            metrics.skipped("replay_lead_in"); // recognised to adapt the new recognizer; its outputs went out before
            out = List.of();
            endLeadIn(offset);
        }
        lastOutputs = out;
        progressed(offset);
        return out;
    }

    /** The session's end (or its idle eviction): the last finals and {@code session.completed}, unless it fails. */
    List<PipelineEvent> finish() {
        long now = now();
        List<PipelineEvent> out;
        if (leadInTo != null) {
            endLeadIn(-1); // the point's records were not this session's last: its end is past them
        }
        try {
            byte[] tail = audio.finish();
            out = new ArrayList<>(recognise(tail, lastReceivedAtMs, now));
            if (segmented != null) {
                // Finals still with the cloud come later; session.completed follows the last of them.
                out.addAll(segmented.finish(lastReceivedAtMs));
                terminate(WorkerSessions.END, out);
                log.debug("Session {} ended; {} outputs pending", sessionId(), segmented.pendingOutputs());
                return out;
            }
            out.addAll(toEvents(stream.finish(), lastReceivedAtMs, now));
        } catch (IllegalArgumentException e) {
            return terminate(WorkerSessions.END, List.of(failure(WorkerSessions.UNSUPPORTED_FORMAT, e.getMessage())));
        } catch (RuntimeException e) {
            return engineFailed(WorkerSessions.END, e);
        }
        out.add(new SessionCompleted(sessionId(), nextIndex, null, now));
        terminate(WorkerSessions.END, out);
        log.debug("Session {} completed with {} segments", sessionId(), nextIndex);
        return out;
    }

    /** 16 kHz mono PCM to the session's engine. */
    private List<PipelineEvent> recognise(byte[] pcm, long receivedAtMs, long now) {
        if (pcm.length == 0) {
            return List.of(); // a resampler or MP3 frame waiting for more input
        }
        if (segmented != null) {
            return segmented.accept(pcm, receivedAtMs);
        }
        List<RecognitionResult> results = stream.accept(pcm);
        pcmBytes += pcm.length;
        // Only the chunk whose results end with a final: by the next one, the next utterance may have begun (Vosk shows
        // no partial for its first few hundred ms)
        atBoundary = !results.isEmpty() && results.get(results.size() - 1) instanceof RecognitionResult.Final;
        if (!results.isEmpty()) {
            inSpeech = results.get(results.size() - 1) instanceof RecognitionResult.Partial p
                    && !p.text().isBlank();
        }
        return results.isEmpty() ? List.of() : toEvents(results, receivedAtMs, now);
    }

    private List<PipelineEvent> toEvents(List<RecognitionResult> results, long receivedAtMs, long now) {
        List<PipelineEvent> out = new ArrayList<>(results.size());
        for (RecognitionResult result : results) {
            if (result instanceof RecognitionResult.Final f) {
                if (f.text().isBlank()) {
                    continue; // silence is not a segment
                }
                List<Word> words = controls.words(f.words());
                String text = words.isEmpty()
                        ? controls.text(f.text())
                        : String.join(" ", words.stream().map(Word::word).toList());
                if (text.isBlank()) {
                    continue; // all of it removed (profanity)
                }
                long startMs = f.startMs() + timeOffsetMs;
                long endMs = f.endMs() + timeOffsetMs;
                out.add(new TranscriptFinal(
                        sessionId(),
                        nextIndex++,
                        text,
                        startMs,
                        endMs,
                        engine,
                        receivedAtMs,
                        now,
                        started.wordTimestamps() ? Word.fit(shifted(words), startMs, endMs) : null));
                lastPartial = "";
                metrics.finalEmitted(engine);
            } else if (result instanceof RecognitionResult.SpeechOnset onset) {
                if (started.wantsSpeechEvents()) {
                    out.add(new SpeechStarted(sessionId(), onset.atMs() + timeOffsetMs, now));
                }
            } else if (result instanceof RecognitionResult.Partial p) {
                String text = controls.text(p.text());
                if (wantsPartials() && !text.isBlank() && !text.equals(lastPartial)) {
                    out.add(new TranscriptPartial(sessionId(), nextIndex, text, now));
                    lastPartial = text;
                    metrics.partialEmitted(engine);
                }
            }
        }
        return out;
    }

    /** The engine's word times on the session's clock (a recognizer started at a replay point counts from there). */
    private List<Word> shifted(List<Word> words) {
        if (timeOffsetMs == 0) {
            return words;
        }
        return words.stream()
                .map(w -> new Word(w.word(), w.startMs() + timeOffsetMs, w.endMs() + timeOffsetMs, w.confidence()))
                .toList();
    }

    private List<PipelineEvent> engineFailed(String trigger, RuntimeException e) {
        log.warn("Session {}: engine {} failed", sessionId(), engine, e);
        return terminate(trigger, List.of(failure(WorkerSessions.ENGINE_UNAVAILABLE, engine + ": " + e.getMessage())));
    }

    /** Fails the session now (poison, a bug): {@code session.failed} with this code, and the session closes. */
    List<PipelineEvent> fail(String trigger, String code, String message) {
        return terminate(trigger, List.of(failure(code, message)));
    }

    private SessionFailed failure(String code, String message) {
        return failed(metrics, clock, sessionId(), code, message);
    }

    /** A {@code session.failed}, counted by code. */
    static SessionFailed failed(
            RecognitionMetrics metrics, Clock clock, String sessionId, String code, String message) {
        metrics.error(code);
        return new SessionFailed(sessionId, code, message, clock.millis());
    }

    /** Closes the session because of {@code trigger}; returns its last outputs. */
    private List<PipelineEvent> terminate(String trigger, List<PipelineEvent> outputs) {
        close();
        closedBy = trigger;
        return outputs;
    }

    /** Closes the stream once; engine errors on close are not the session's problem any more. */
    void close() {
        if (!closed) {
            closed = true;
            try {
                if (stream != null) {
                    stream.close();
                }
                if (segmented != null) {
                    segmented.close();
                }
            } catch (RuntimeException ignored) {
                // nothing left to do with a recognizer that fails to close
            }
        }
    }

    private long now() {
        return clock.millis();
    }
}
