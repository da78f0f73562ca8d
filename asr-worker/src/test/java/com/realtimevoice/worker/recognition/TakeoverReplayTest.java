package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A takeover resumes a session at the {@link ReplayPoint} its last holder left, with real Vosk: the finals after it
 * are those of a run that was never interrupted (same index, same text, same place in the audio), and the audio
 * before the point's lead-in is not recognised again. Records are the audio topic's, offset = position in the
 * partition (the start at 0, chunk i at i + 1).
 */
class TakeoverReplayTest {

    private static final SessionStarted STARTED =
            new SessionStarted("s", "user", "node", "reply", "pcm", 16000, "en-US", null, true, false, 0);
    private static List<byte[]> chunks;
    private static List<TranscriptFinal> uninterrupted;

    /** The harness's "medley": four recordings back to back, six sentences with pauses between them. */
    private static synchronized void load() {
        if (chunks == null) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (String wav : List.of("weather.wav", "numbers.wav", "time.wav", "sentences.wav")) {
                all.writeBytes(SpeechFixtures.pcm(wav));
            }
            chunks = SpeechFixtures.chunks(all.toByteArray(), 3200); // 100 ms, as the mini-program sends
            uninterrupted = finals(feed(worker(new SimpleMeterRegistry()), null, 0, chunks.size(), true));
        }
    }

    /** The cut: the old holder handled chunks before it, the new one replays every record from the start. */
    @ParameterizedTest
    @ValueSource(ints = {60, 100, 125, 180, 230})
    void aSessionTakenOverAtItsReplayPointGetsTheFinalsOfAnUninterruptedRun(int cut) {
        load();
        WorkerSessions old = worker(new SimpleMeterRegistry());
        List<TranscriptFinal> before = finals(feed(old, null, 0, cut, false));
        ReplayPoint point = old.replayPoint("s");
        assertThat(point).as("a final came before the cut").isNotNull();
        assertThat(point.nextIndex()).isEqualTo(before.size());

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<TranscriptFinal> after = finals(feed(worker(meters), point, 0, chunks.size(), true));

        List<TranscriptFinal> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(all).hasSameSizeAs(uninterrupted);
        for (int i = 0; i < all.size(); i++) {
            TranscriptFinal got = all.get(i);
            TranscriptFinal want = uninterrupted.get(i);
            assertThat(got.index()).isEqualTo(want.index());
            assertThat(got.text())
                    .as("final %d after a cut at chunk %d (%s)", i, cut, point)
                    .isEqualTo(want.text());
            assertThat(got.startMs()).as("its place in the audio").isCloseTo(want.startMs(), within(100));
            assertThat(got.endMs()).isCloseTo(want.endMs(), within(100));
        }
        assertThat(after.get(0).index()).as("nothing sent twice").isEqualTo(before.size());
        double skipped = meters.counter("asr.worker.events.skipped", "reason", "before_replay_point")
                .count();
        assertThat(skipped)
                .as("chunks before the lead-in are not recognised again")
                .isEqualTo(Math.max(0, point.leadInAfter()));
    }

    private static org.assertj.core.data.Offset<Long> within(long ms) {
        return org.assertj.core.data.Offset.offset(ms);
    }

    private static WorkerSessions worker(SimpleMeterRegistry meters) {
        return new WorkerSessions(
                new EngineRegistry(List.of(LocalVosk.engine()), WorkerSettings.worker("vosk")),
                new RecognitionMetrics(meters),
                WorkerSettings.worker("vosk"),
                WorkerSessions.DEFAULT_SEGMENTS,
                events -> {},
                Clock.systemUTC());
    }

    private static List<PipelineEvent> feed(WorkerSessions worker, ReplayPoint from, int first, int end, boolean last) {
        List<PipelineEvent> out = new ArrayList<>(worker.handle(STARTED, 0, from));
        for (int i = first; i < end; i++) {
            out.addAll(worker.handle(new AudioChunk("s", i, i * 3200L, "pcm", 16000, 0, chunks.get(i)), i + 1, null));
        }
        if (last) {
            out.addAll(worker.handle(new SessionEnded("s", end, 0, "end", 0), end + 1, null));
        }
        return out;
    }

    private static List<TranscriptFinal> finals(List<PipelineEvent> events) {
        return StreamingControlsTest.finals(events);
    }
}
