package com.realtimevoice.worker.recognition;

import com.realtimevoice.worker.text.OutputControls;

import java.util.List;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.engine.RecognitionStream;

/**
 * One session's state on this worker: its open stream and where it is in the session. Callers hold the
 * instance's monitor while using it (the listener thread and the idle sweeper may both touch it).
 */
final class SessionRecognizer {

    final SessionStarted started;
    final String engine;
    /** The streaming engine's stream; null for a session on a segment engine. */
    final RecognitionStream stream;
    /** Client encoding -> 16 kHz mono PCM. */
    final AudioConverter audio;
    /** A session on a segment engine (Tencent, two-pass); null for a streaming engine. */
    final SegmentedRecognition segmented;

    /** The session's profanity and numbers controls, applied to a streaming engine's text. */
    final OutputControls controls;

    /** Index of the next final; partials carry it too. */
    int nextIndex;
    /** Last partial text sent for the current segment, to send each text once. */
    String lastPartial = "";
    /** Seq of the last chunk fed, to recognise redeliveries and re-sent chunks after a resume. */
    long lastSeq = -1;
    /** Added to chunk seqs after a resume whose client did not say where its audio resumes. */
    long seqShift;
    /** The ingest node holding the session's socket (moves on resume). */
    String node;
    /** Ingest receive time of the last chunk, for the latency field of finals. */
    long lastReceivedAtMs;
    /** Wall-clock time of the last event handled, for the idle sweep. */
    long lastActivityMs;
    /** What the last handled event produced, republished if that event is redelivered. */
    List<PipelineEvent> lastOutputs = List.of();
    /** The last flush handled and what it produced, republished if it is redelivered. */
    com.realtimevoice.events.SessionFlushed lastFlush;
    List<PipelineEvent> lastFlushOutputs = List.of();
    boolean closed;

    SessionRecognizer(SessionStarted started, String engine, RecognitionStream stream, AudioConverter audio,
                      SegmentedRecognition segmented, long nowMs) {
        this.started = started;
        this.engine = engine;
        this.stream = stream;
        this.audio = audio;
        this.segmented = segmented;
        this.lastActivityMs = nowMs;
        this.node = started.nodeId();
        // streaming engines (Vosk) spell numbers out: "digits" is the worker's conversion
        this.controls = OutputControls.of(started.recognition(), true);
    }

    String sessionId() {
        return started.sessionId();
    }

    boolean wantsPartials() {
        return started.interimResults() && !started.oneShot();
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
}
