package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.Word;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.audio.FormatFixtures;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.tencent.FakeTencentAsr;
import com.realtimevoice.worker.engine.tencent.TencentAsrEngine;
import com.realtimevoice.worker.engine.tencent.TencentTestSupport;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import com.realtimevoice.worker.segment.SegmentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions on the Tencent engine, end to end inside the worker: the real SDK against the local fake (which runs Vosk
 * on the audio it receives), Vosk for partials and fallback, the detector cutting segments, outputs published from
 * the calls' completions.
 */
class TwoPassRecognitionTest {

    private FakeTencentAsr fake;
    private EngineRegistry registry;
    private final List<PipelineEvent> published = Collections.synchronizedList(new ArrayList<>());
    private final List<PipelineEvent> sync = new ArrayList<>();
    /** The sessions' wordTimestamps option. */
    private boolean words;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeTencentAsr().recogniser(TencentTestSupport.vosk());
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.destroy();
        }
        fake.close();
    }

    private WorkerSessions recognizers(String partials, SegmentProperties.Fallback fallback, int failureThreshold) {
        WorkerProperties worker = WorkerSettings.worker("tencent");
        SegmentProperties segments = WorkerSettings.segments(partials, fallback);
        TencentAsrEngine tencent = new TencentAsrEngine(
                TencentTestSupport.properties(fake, FakeTencentAsr.SECRET_KEY, 2, failureThreshold));
        registry = new EngineRegistry(List.of(LocalVosk.engine()), List.of(tencent), worker, segments);
        return new WorkerSessions(
                registry,
                new RecognitionMetrics(new SimpleMeterRegistry()),
                worker,
                segments,
                published::addAll,
                Clock.systemUTC());
    }

    @Test
    void partialsFromVoskWhileSpeakingFinalsFromTencentInOrder() {
        WorkerSessions r = recognizers("vosk", SegmentProperties.Fallback.LOCAL, 5);
        fake.slow(300);
        words = true;
        long handling = stream(r, "s", "pcm", 16000, SpeechFixtures.pcm("sentences.wav"), 3200);
        List<TranscriptFinal> finals = awaitCompleted(3);

        List<TranscriptPartial> partials = sync.stream()
                .filter(TranscriptPartial.class::isInstance)
                .map(TranscriptPartial.class::cast)
                .toList();
        assertThat(partials).extracting(TranscriptPartial::index).contains(0, 1, 2);
        assertThat(finals).extracting(TranscriptFinal::index).containsExactly(0, 1, 2);
        assertThat(finals).extracting(TranscriptFinal::engine).containsOnly("tencent");
        assertThat(sync).noneMatch(e -> e instanceof TranscriptFinal).as("no final on the consumer thread");
        String text =
                String.join(" ", finals.stream().map(TranscriptFinal::text).toList());
        double wer = WordErrorRate.of(SpeechFixtures.reference("sentences.wav"), text);
        System.out.printf(
                "two-pass sentences.wav: %d partials, finals '%s' WER %.3f; consumer-thread time %d ms for 13.7 s of audio%n",
                partials.size(), text, wer, handling);
        assertThat(wer).isLessThanOrEqualTo(0.1);
        // calls run concurrently on the engine's executor: they may arrive in any order, the finals still leave in
        // order
        assertThat(fake.recognitions())
                .extracting(x -> x.params().get("UsrAudioKey"))
                .containsOnly("\"s-0\"", "\"s-1\"", "\"s-2\"");
        // each partial's index is that of the final it leads to; finals sit inside their segments, in audio order
        for (int k = 1; k < finals.size(); k++) {
            assertThat(finals.get(k).startMs())
                    .isGreaterThanOrEqualTo(finals.get(k - 1).endMs());
        }
        // Tencent's WordList (times from the segment's start) placed in the session's audio, inside each final
        for (TranscriptFinal f : finals) {
            assertThat(f.words()).as("words of %s", f.text()).isNotEmpty();
            assertThat(String.join(" ", f.words().stream().map(Word::word).toList()))
                    .isEqualTo(f.text());
            assertThat(f.words())
                    .allSatisfy(w -> assertThat(w.startMs()).isBetween(f.startMs(), w.endMs()))
                    .allSatisfy(w -> assertThat(w.endMs()).isLessThanOrEqualTo(f.endMs()))
                    .allSatisfy(w -> assertThat(w.confidence()).isNull());
            assertThat(f.words().get(0).startMs()).isEqualTo(f.startMs());
        }
        assertThat(finals.get(2).words().get(0).startMs())
                .as("a later segment's words are not at its own zero")
                .isGreaterThan(5000);
    }

    @Test
    void finalsKeepSegmentOrderWhenAnEarlierCallIsSlower() {
        WorkerSessions r = recognizers(SegmentProperties.NONE, SegmentProperties.Fallback.LOCAL, 5);
        fake.slowWhen(x -> "\"t-0\"".equals(x.params().get("UsrAudioKey")) ? 1500L : 0L);
        long handling = stream(r, "t", "pcm", 16000, SpeechFixtures.pcm("sentences.wav"), 3200);
        assertThat(handling)
                .as("the consumer thread never waits for the slow call")
                .isLessThan(1500);
        List<TranscriptFinal> finals = awaitCompleted(3);
        assertThat(finals).extracting(TranscriptFinal::index).containsExactly(0, 1, 2);
        assertThat(sync).noneMatch(TranscriptPartial.class::isInstance);
        assertThat(finals)
                .extracting(TranscriptFinal::words)
                .as("not asked, not sent")
                .containsOnlyNulls();
    }

    @Test
    void aFailingServiceFallsBackToTheLocalEngineAndTheBreakerStopsTheCalls() {
        WorkerSessions r = recognizers("vosk", SegmentProperties.Fallback.LOCAL, 1);
        fake.failWithStatus(503);
        stream(r, "f", "pcm", 16000, SpeechFixtures.pcm("sentences.wav"), 3200);
        List<TranscriptFinal> finals = awaitCompleted(3);
        assertThat(finals).extracting(TranscriptFinal::engine).containsOnly("vosk");
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("sentences.wav"),
                        String.join(
                                " ", finals.stream().map(TranscriptFinal::text).toList())))
                .isLessThanOrEqualTo(0.1);
        // three segments at two attempts each would be six calls; once the breaker opens, the rest are not sent
        assertThat(fake.received().size()).isLessThan(6);
    }

    @Test
    void withoutFallbackAFailingServiceEndsTheSessionWithEngineUnavailable() {
        WorkerSessions r = recognizers(SegmentProperties.NONE, SegmentProperties.Fallback.FAIL, 5);
        fake.failNext("InternalError", "InternalError");
        stream(r, "x", "pcm", 16000, SpeechFixtures.pcm("weather.wav"), 3200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> published.stream().anyMatch(SessionFailed.class::isInstance));
        SessionFailed failed = (SessionFailed) published.stream()
                .filter(SessionFailed.class::isInstance)
                .findFirst()
                .orElseThrow();
        assertThat(failed.code()).isEqualTo("ENGINE_UNAVAILABLE");
        assertThat(failed.message()).contains("tencent").contains("InternalError");
        assertThat(published).noneMatch(SessionCompleted.class::isInstance);
    }

    @Test
    void mp3FramesGoToTheCloudAsTheyCame() {
        WorkerSessions r = recognizers("vosk", SegmentProperties.Fallback.LOCAL, 5);
        stream(r, "m", "mp3", 16000, FormatFixtures.bytes("weather-16k-mono.mp3"), 1024);
        List<TranscriptFinal> finals = awaitCompleted(1);
        assertThat(fake.recognitions()).allSatisfy(x -> assertThat(x.params()).containsEntry("VoiceFormat", "\"mp3\""));
        assertThat(fake.recognitions().get(0).audio().length).isLessThan(20_736);
        String text =
                String.join(" ", finals.stream().map(TranscriptFinal::text).toList());
        System.out.printf("two-pass weather-16k-mono.mp3 (pass-through): '%s'%n", text);
        assertThat(WordErrorRate.of("the weather is nice today", text)).isLessThanOrEqualTo(0.2);
    }

    @Test
    void aReplayOfTheSessionGivesTheSameSegmentsAndIndexes() {
        WorkerSessions r = recognizers(SegmentProperties.NONE, SegmentProperties.Fallback.LOCAL, 5);
        byte[] audio = FormatFixtures.bytes("sentences-44k1-stereo.mp3");
        stream(r, "r", "mp3", 44100, audio, 4096);
        List<String> first = awaitCompleted(3).stream()
                .map(f -> f.index() + ":" + f.startMs() + "-" + f.endMs())
                .toList();
        published.clear();
        stream(r, "r", "mp3", 44100, audio, 2000); // the same session again, in other pieces (a takeover's replay)
        List<String> second = awaitCompleted(3).stream()
                .map(f -> f.index() + ":" + f.startMs() + "-" + f.endMs())
                .toList();
        assertThat(second).isEqualTo(first);
        // 44.1 kHz MP3 does not fit the 16 kHz model: decoded audio goes as WAV
        assertThat(fake.recognitions()).allSatisfy(x -> assertThat(x.params()).containsEntry("VoiceFormat", "\"wav\""));
    }

    /** Issue 22 on a segment engine: a flush sends the open segment to the cloud at once; speech onsets are announced. */
    @Test
    void aFlushSendsTheOpenSegmentAndSpeechOnsetsAreAnnounced() {
        WorkerSessions r = recognizers("vosk", SegmentProperties.Fallback.LOCAL, 5);
        sync.addAll(r.handle(new SessionStarted(
                "f", "u", "n", "reply", "pcm", 16000, "en", null, true, false, 1, false, 2000, true, null)));
        long seq = 0;
        for (byte[] audio : List.of(SpeechFixtures.pcm("time.wav"), SpeechFixtures.pcm("weather.wav"))) {
            for (int off = 0; off < audio.length; off += 3200) {
                sync.addAll(r.handle(new AudioChunk(
                        "f",
                        seq++,
                        0,
                        "pcm",
                        16000,
                        1,
                        java.util.Arrays.copyOfRange(audio, off, Math.min(audio.length, off + 3200)))));
            }
            long finalsBefore =
                    published.stream().filter(TranscriptFinal.class::isInstance).count();
            // endpointingMs 2000: without the flush, neither segment would end before the audio does
            sync.addAll(r.handle(new SessionFlushed("f", seq - 1, 1)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> published.stream()
                                    .filter(TranscriptFinal.class::isInstance)
                                    .count()
                            == finalsBefore + 1);
        }
        sync.addAll(r.handle(new SessionEnded("f", seq - 1, 0, "end", 2)));
        List<TranscriptFinal> finals = awaitCompleted(2);
        assertThat(finals).extracting(TranscriptFinal::index).containsExactly(0, 1);
        assertThat(WordErrorRate.of(
                        "what time is it the weather is nice today",
                        finals.get(0).text() + " " + finals.get(1).text()))
                .isLessThanOrEqualTo(0.2);
        assertThat(sync.stream()
                        .filter(SpeechStarted.class::isInstance)
                        .map(e -> ((SpeechStarted) e).atMs())
                        .toList())
                .hasSize(2)
                .allSatisfy(at -> assertThat(at).isGreaterThanOrEqualTo(0L));
    }

    /** Feeds a session; returns the time spent in handle() (the consumer thread's share). */
    private long stream(WorkerSessions r, String id, String format, int rate, byte[] audio, int piece) {
        long nanos = 0;
        long t = System.nanoTime();
        sync.addAll(r.handle(new SessionStarted(
                id, "u", "n", "reply", format, rate, "en", null, true, false, 1, words, null, null, null)));
        nanos += System.nanoTime() - t;
        long seq = 0;
        for (int off = 0; off < audio.length; off += piece) {
            byte[] chunk = java.util.Arrays.copyOfRange(audio, off, Math.min(audio.length, off + piece));
            t = System.nanoTime();
            sync.addAll(r.handle(new AudioChunk(id, seq++, off, format, rate, System.currentTimeMillis(), chunk)));
            nanos += System.nanoTime() - t;
        }
        t = System.nanoTime();
        sync.addAll(r.handle(new SessionEnded(id, seq - 1, audio.length, "end", 2)));
        nanos += System.nanoTime() - t;
        return nanos / 1_000_000;
    }

    private List<TranscriptFinal> awaitCompleted(int segments) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> published.stream().anyMatch(SessionCompleted.class::isInstance));
        List<PipelineEvent> all;
        synchronized (published) {
            all = new ArrayList<>(published);
        }
        SessionCompleted completed = (SessionCompleted) all.get(all.size() - 1);
        assertThat(completed.segments()).isEqualTo(segments);
        return all.stream()
                .filter(TranscriptFinal.class::isInstance)
                .map(TranscriptFinal.class::cast)
                .toList();
    }
}
