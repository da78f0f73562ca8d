package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-session logic with a scripted engine: each chunk's bytes are a command, e.g. "p:hel" (partial),
 * "f:hello" (final), "boom" (engine failure); anything else recognises nothing.
 */
class WorkerSessionsTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock();
    private final List<ScriptedStream> streams = new ArrayList<>();
    private WorkerSessions recognizers;

    @BeforeEach
    void setUp() {
        WorkerProperties properties = WorkerSettings.worker("scripted");
        SpeechEngine engine = scripted();
        recognizers = new WorkerSessions(
                new EngineRegistry(List.of(engine), properties),
                new RecognitionMetrics(meters),
                properties,
                WorkerSessions.DEFAULT_SEGMENTS,
                published::addAll,
                clock);
    }

    /** What the recognizers published off the listener thread (idle sessions ended by the sweep). */
    private final List<PipelineEvent> published = new ArrayList<>();

    @Test
    void emitsFinalsWithGrowingIndexAndEachNewPartialOnce() {
        SessionStarted started = started("s1", true, false);
        assertThat(recognizers.handle(started)).containsExactly(started);

        assertThat(chunk("s1", 0, "p:hel"))
                .singleElement()
                .isEqualTo(new TranscriptPartial("s1", 0, "hel", clock.millis()));
        assertThat(chunk("s1", 1, "p:hel")).as("same partial again").isEmpty();
        assertThat(chunk("s1", 2, "p:hello")).hasSize(1);
        assertThat(chunk("s1", 3, "f:hello")).singleElement().isInstanceOfSatisfying(TranscriptFinal.class, f -> {
            assertThat(f.index()).isZero();
            assertThat(f.text()).isEqualTo("hello");
            assertThat(f.engine()).isEqualTo("scripted");
            assertThat(f.audioReceivedAtMs()).isEqualTo(1003);
        });
        assertThat(chunk("s1", 4, "p:hel"))
                .as("new segment: the same text is news again")
                .singleElement()
                .isEqualTo(new TranscriptPartial("s1", 1, "hel", clock.millis()));
        assertThat(chunk("s1", 5, "f:   ")).as("silence is no segment").isEmpty();
        assertThat(chunk("s1", 6, "f:world"))
                .singleElement()
                .extracting(e -> ((TranscriptFinal) e).index())
                .isEqualTo(1);

        List<PipelineEvent> end = recognizers.handle(new SessionEnded("s1", 6, 0, "end", 0));
        assertThat(end).hasSize(2);
        assertThat(end.get(0)).isInstanceOfSatisfying(TranscriptFinal.class, f -> {
            assertThat(f.index()).isEqualTo(2);
            assertThat(f.text()).isEqualTo("tail");
        });
        assertThat(end.get(1))
                .isInstanceOfSatisfying(
                        SessionCompleted.class, c -> assertThat(c.segments()).isEqualTo(3));
        assertThat(streams.get(0).closed).isTrue();
        assertThat(recognizers.activeSessions()).isZero();
        assertThat(meters.counter("asr.worker.finals", "engine", "scripted").count())
                .isEqualTo(3);
        assertThat(meters.counter("asr.worker.chunks", "engine", "scripted").count())
                .isEqualTo(7);
    }

    @Test
    void oneShotAndNonInterimSessionsGetNoPartials() {
        recognizers.handle(started("a", true, true));
        recognizers.handle(started("b", false, false));
        assertThat(chunk("a", 0, "p:hel")).isEmpty();
        assertThat(chunk("b", 0, "p:hel")).isEmpty();
        assertThat(chunk("b", 1, "f:hello")).hasSize(1);
    }

    @Test
    void redeliveredRecordsRepublishTheirOutputsWithoutFeedingTheEngineTwice() {
        recognizers.handle(started("s", true, false));
        List<PipelineEvent> first = chunk("s", 0, "f:hello");
        assertThat(chunk("s", 0, "f:hello")).isEqualTo(first);
        assertThat(streams.get(0).fed).isEqualTo(1);
        chunk("s", 1, "nothing");
        assertThat(chunk("s", 0, "f:hello"))
                .as("older than the last: already published")
                .isEmpty();

        List<PipelineEvent> end = recognizers.handle(new SessionEnded("s", 1, 0, "end", 0));
        assertThat(recognizers.handle(new SessionEnded("s", 1, 0, "end", 0))).isEqualTo(end);
        assertThat(meters.counter("asr.worker.events.skipped", "reason", "redelivered")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aSecondStartBeginsTheSessionAgain() {
        recognizers.handle(started("s", true, false));
        chunk("s", 0, "f:hello");
        recognizers.handle(started("s", true, false));
        assertThat(streams.get(0).closed).isTrue();
        assertThat(chunk("s", 0, "f:hello"))
                .singleElement()
                .extracting(e -> ((TranscriptFinal) e).index())
                .isEqualTo(0);
    }

    @Test
    void audioWithoutStateFailsTheSessionOnceAndIsCounted() {
        assertThat(chunk("lost", 5, "f:hello"))
                .singleElement()
                .isInstanceOfSatisfying(
                        SessionFailed.class, f -> assertThat(f.code()).isEqualTo("SESSION_NOT_FOUND"));
        assertThat(chunk("lost", 6, "f:hello")).isEmpty();
        assertThat(recognizers.handle(new SessionEnded("lost", 6, 0, "end", 0))).isEmpty();
        assertThat(meters.counter("asr.worker.chunks.orphaned").count()).isEqualTo(2);
        assertThat(meters.counter("asr.worker.errors", "code", "SESSION_NOT_FOUND")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void engineFailureFailsTheSessionAndClosesTheStream() {
        recognizers.handle(started("s", true, false));
        assertThat(chunk("s", 0, "boom")).singleElement().isInstanceOfSatisfying(SessionFailed.class, f -> {
            assertThat(f.code()).isEqualTo("ENGINE_UNAVAILABLE");
            assertThat(f.message()).contains("engine exploded");
        });
        assertThat(streams.get(0).closed).isTrue();
        assertThat(chunk("s", 1, "f:hello"))
                .as("later audio of a failed session")
                .isEmpty();
        assertThat(meters.counter("asr.worker.chunks.orphaned").count()).isZero();
    }

    @Test
    void unknownEngineOrFormatFailsAfterForwardingTheStart() {
        SessionStarted unknown =
                new SessionStarted("u", "user", "node", "reply", "pcm", 16000, null, "nope", true, false, 0);
        assertThat(recognizers.handle(unknown))
                .satisfiesExactly(
                        e -> assertThat(e).isEqualTo(unknown),
                        e -> assertThat(e).isInstanceOfSatisfying(SessionFailed.class, f -> {
                            assertThat(f.code()).isEqualTo("ENGINE_UNAVAILABLE");
                            assertThat(f.message()).contains("nope", "scripted");
                        }));
        SessionStarted ogg = new SessionStarted("m", "user", "node", "reply", "ogg", 16000, null, null, true, false, 0);
        assertThat(recognizers.handle(ogg))
                .last()
                .isInstanceOfSatisfying(
                        SessionFailed.class, f -> assertThat(f.code()).isEqualTo("UNSUPPORTED_FORMAT"));
        assertThat(chunk("u", 0, "f:x")).isEmpty();
    }

    @Test
    void refusesEventsThatDoNotBelongOnTheAudioTopic() {
        assertThatThrownBy(() -> recognizers.handle(new TranscriptFinal("s", 0, "x", 0, 1, "e", 0, 0)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("transcript.final");
    }

    @Test
    void idleSessionsAreEndedAndCompletedSoTheyStopHoldingCommitsBack() {
        recognizers.handle(started("idle", true, false));
        recognizers.handle(started("busy", true, false));
        chunk("idle", 0, "f:said before the node died");
        clock.advance(Duration.ofMinutes(6));
        chunk("busy", 0, "nothing");
        clock.advance(Duration.ofMinutes(6));

        recognizers.evictIdle();

        assertThat(recognizers.activeSessions()).isEqualTo(1);
        assertThat(streams.get(0).closed).isTrue();
        assertThat(streams.get(1).closed).isFalse();
        assertThat(published)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("TranscriptFinal", "SessionCompleted");
        assertThat(published.get(1)).isInstanceOfSatisfying(SessionCompleted.class, c -> {
            assertThat(c.sessionId()).isEqualTo("idle");
            assertThat(c.segments())
                    .as("the final before, and the engine's tail")
                    .isEqualTo(2);
        });
        assertThat(chunk("idle", 1, "f:x")).as("late audio of an ended session").isEmpty();
    }

    @Test
    void aResumeMovesTheSessionsNodeDropsReSentChunksAndIgnoresTheOldNodesEnd() {
        recognizers.handle(started("r", true, false));
        chunk("r", 0, "f:one");
        chunk("r", 1, "nothing");
        SessionResumed resumed = new SessionResumed("r", "user", "node-b", "reply-b", 0, 1L, 5);
        assertThat(recognizers.handle(resumed))
                .as("forwarded by the listener when read, not behind the queued audio")
                .isEmpty();
        assertThat(chunk("r", 1, "f:again"))
                .as("a re-sent chunk the engine has")
                .isEmpty();
        assertThat(chunk("r", 2, "f:two"))
                .singleElement()
                .isInstanceOfSatisfying(
                        TranscriptFinal.class, f -> assertThat(f.index()).isEqualTo(1));
        assertThat(recognizers.handle(new SessionEnded("r", 2, 300, "abandoned", 6, "node")))
                .as("the node the client left gave up on it; it lives on node-b")
                .isEmpty();
        assertThat(recognizers.handle(new SessionEnded("r", 2, 300, "end", 7, "node-b")))
                .last()
                .isInstanceOf(SessionCompleted.class);
    }

    @Test
    void aResumeWithoutNextSeqContinuesAfterTheLastChunkSeen() {
        recognizers.handle(started("n", true, false));
        chunk("n", 0, "nothing");
        chunk("n", 1, "nothing");
        recognizers.handle(new SessionResumed("n", "user", "node-b", "reply-b", -1, null, 5));
        assertThat(chunk("n", 0, "f:new audio"))
                .as("the new node numbers from 0 again")
                .hasSize(1);
    }

    @Test
    void droppedSessionsAreForgottenForTheirNewOwner() {
        recognizers.handle(started("moved", true, false));
        recognizers.drop(List.of("moved"));
        assertThat(recognizers.activeSessions()).isZero();
        assertThat(streams.get(0).closed).isTrue();
    }

    @Test
    void aTakeoverResumesAtTheReplayPointAfterALeadInWithoutSendingAgainWhatWentOutBefore() {
        // the first holder: s's start at offset 10, its chunks at 11, 12, ...
        recognizers.handle(started("s", true, false), 10, null);
        assertThat(recognizers.replayPoint("s")).as("nothing recognised yet").isNull();
        assertThat(chunkAt("s", 0, "f:one", 11)).hasSize(1);
        ReplayPoint first = recognizers.replayPoint("s");
        assertThat(first.leadInAfter())
                .as("no boundary before: a lead-in from the start")
                .isEqualTo(-1);
        assertThat(chunkAt("s", 1, "p:hel", 12)).hasSize(1);
        assertThat(chunkAt("s", 2, "f:hello", 13)).singleElement().isInstanceOf(TranscriptFinal.class);
        ReplayPoint point = recognizers.replayPoint("s");
        assertThat(point.leadInAfter())
                .as("the lead-in starts at the boundary before")
                .isEqualTo(11);
        assertThat(point.throughOffset()).isEqualTo(13);
        assertThat(point.nextIndex()).isEqualTo(2);
        chunkAt("s", 3, "p:wor", 14);
        assertThat(recognizers.replayPoint("s"))
                .as("mid-sentence is no point to resume at")
                .isEqualTo(point);

        // the next holder, told by the commit that the first one left s clean after offset 13, 1 s into its audio
        WorkerSessions next = new WorkerSessions(
                new EngineRegistry(List.of(scripted()), WorkerSettings.worker("scripted")),
                new RecognitionMetrics(meters),
                WorkerSettings.worker("scripted"),
                WorkerSessions.DEFAULT_SEGMENTS,
                published::addAll,
                clock);
        next.handle(started("s", true, false), 10, new ReplayPoint(11, 1_000, 13, 2, 1_000));
        ScriptedStream stream = streams.get(streams.size() - 1);
        assertThat(chunkAt(next, "s", 0, "f:one", 11)).isEmpty();
        assertThat(stream.fed)
                .as("audio before the lead-in is not recognised again")
                .isZero();
        assertThat(chunkAt(next, "s", 1, "p:hel", 12))
                .as("the lead-in: recognised, not sent")
                .isEmpty();
        assertThat(chunkAt(next, "s", 2, "f:hello", 13))
                .as("final 1 went out before")
                .isEmpty();
        assertThat(stream.fed).isEqualTo(2);
        assertThat(stream.flushes)
                .as("it ended its utterance on the point's record, as the old one did: nothing to force")
                .isZero();
        assertThat(chunkAt(next, "s", 2, "f:hello", 13)).as("a redelivery").isEmpty();
        assertThat(chunkAt(next, "s", 3, "p:wor", 14))
                .singleElement()
                .isEqualTo(new TranscriptPartial("s", 2, "wor", clock.millis()));
        assertThat(chunkAt(next, "s", 4, "f:world", 15))
                .singleElement()
                .isInstanceOfSatisfying(TranscriptFinal.class, f -> {
                    assertThat(f.index()).as("numbered on from the point").isEqualTo(2);
                    assertThat(f.startMs())
                            .as("on the session's clock: the lead-in's 1 s + the engine's")
                            .isEqualTo(1_000 + 400);
                });
        assertThat(next.replayPoint("s")).isEqualTo(new ReplayPoint(13, 1_000, 15, 3, 1_000));
        assertThat(meters.counter("asr.worker.events.skipped", "reason", "before_replay_point")
                        .count())
                .isEqualTo(1);
        assertThat(meters.counter("asr.worker.events.skipped", "reason", "replay_lead_in")
                        .count())
                .isEqualTo(2);
        List<PipelineEvent> end = next.handle(new SessionEnded("s", 4, 0, "end", 0), 16, null);
        assertThat(end.get(end.size() - 1))
                .isInstanceOfSatisfying(
                        SessionCompleted.class, c -> assertThat(c.segments()).isEqualTo(4));
    }

    private SpeechEngine scripted() {
        return new SpeechEngine() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public RecognitionStream open(StreamSpec spec) {
                ScriptedStream stream = new ScriptedStream();
                streams.add(stream);
                return stream;
            }
        };
    }

    private List<PipelineEvent> chunkAt(String session, long seq, String command, long offset) {
        return chunkAt(recognizers, session, seq, command, offset);
    }

    private List<PipelineEvent> chunkAt(WorkerSessions on, String session, long seq, String command, long offset) {
        clock.advance(Duration.ofMillis(1));
        return on.handle(
                new AudioChunk(
                        session, seq, seq * 100, "pcm", 16000, 1000 + seq, command.getBytes(StandardCharsets.UTF_8)),
                offset,
                null);
    }

    private List<PipelineEvent> chunk(String session, long seq, String command) {
        clock.advance(Duration.ofMillis(1));
        return recognizers.handle(new AudioChunk(
                session, seq, seq * 100, "pcm", 16000, 1000 + seq, command.getBytes(StandardCharsets.UTF_8)));
    }

    private static SessionStarted started(String id, boolean interim, boolean oneShot) {
        return new SessionStarted(id, "user", "node", "reply", "pcm", 16000, "en-US", null, interim, oneShot, 0);
    }

    static final class ScriptedStream implements RecognitionStream {
        int fed;
        int flushes;
        boolean closed;

        @Override
        public List<RecognitionResult> flush() {
            flushes++;
            return List.of();
        }

        @Override
        public List<RecognitionResult> accept(byte[] pcm16le) {
            fed++;
            String command = new String(pcm16le, StandardCharsets.UTF_8);
            if (command.equals("boom")) {
                throw new IllegalStateException("engine exploded");
            }
            if (command.startsWith("p:")) {
                return List.of(new RecognitionResult.Partial(command.substring(2)));
            }
            if (command.startsWith("f:")) {
                return List.of(new RecognitionResult.Final(command.substring(2), fed * 100L, fed * 100L + 50));
            }
            return List.of();
        }

        @Override
        public List<RecognitionResult> finish() {
            return List.of(new RecognitionResult.Final("tail", 0, 1));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
