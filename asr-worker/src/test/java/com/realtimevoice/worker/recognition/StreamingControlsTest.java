package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.TestEvents;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.EngineRegistry;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import com.realtimevoice.worker.segment.SegmentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's streaming controls on the real Vosk engine and the committed speech fixtures, fed 100 ms at a time:
 * {@code flush} finalises at once and the session goes on with session-relative times; {@code endpointingMs} decides
 * where utterances end; {@code speechEvents} marks where speech starts.
 */
class StreamingControlsTest {

    private static WorkerSessions recognizers;
    private static final byte[] TIME = SpeechFixtures.pcm("time.wav");
    private static final byte[] WEATHER = SpeechFixtures.pcm("weather.wav");

    @BeforeAll
    static void start() {
        WorkerProperties worker = WorkerSettings.worker("vosk");
        SegmentProperties segments = WorkerSettings.segments("vosk", SegmentProperties.Fallback.LOCAL);
        recognizers = new WorkerSessions(
                new EngineRegistry(List.of(LocalVosk.engine()), List.of(), worker, segments),
                new RecognitionMetrics(new SimpleMeterRegistry()),
                worker,
                segments,
                events -> {},
                Clock.systemUTC());
    }

    @Test
    void flushFinalisesNowAndTheSessionGoesOn() {
        Session s = new Session("flush", null, false);
        s.feed(TIME);
        SessionFlushed flush = new SessionFlushed(s.id, s.seq - 1, 42);
        long t = System.nanoTime();
        List<PipelineEvent> flushed = recognizers.handle(flush);
        System.out.printf("flush handled by the worker in %d ms%n", (System.nanoTime() - t) / 1_000_000);
        s.all.addAll(flushed);
        assertThat(recognizers.handle(flush))
                .as("a redelivered flush (its outputs may not have reached Kafka) publishes them again")
                .isEqualTo(flushed);
        assertThat(finals(flushed)).as("the flush's own outputs hold the final").hasSize(1);
        TranscriptFinal first = finals(flushed).get(0);
        assertThat(first.index()).isZero();
        assertThat(WordErrorRate.of("what time is it", first.text())).isLessThanOrEqualTo(0.25);
        assertThat(s.flush()).as("a second flush with nothing new says nothing").isEmpty();

        s.feed(WEATHER);
        List<PipelineEvent> rest = s.end();
        List<TranscriptFinal> all = finals(s.all);
        assertThat(all).extracting(TranscriptFinal::index).containsExactly(0, 1);
        TranscriptFinal second = all.get(1);
        assertThat(WordErrorRate.of("the weather is nice today", second.text())).isLessThanOrEqualTo(0.25);
        long timeMs = ms(TIME);
        assertThat(second.startMs())
                .as("times after a flush still count from the session's start")
                .isBetween(timeMs, timeMs + 1000);
        assertThat(rest).last().isInstanceOf(SessionCompleted.class);
        assertThat(((SessionCompleted) rest.get(rest.size() - 1)).segments()).isEqualTo(2);
    }

    @Test
    void endpointingDecidesWhereUtterancesEnd() {
        // "what time is it", about a second of silence (the fixtures' padding and 0.2 s), "the weather is nice today"
        byte[] audio = concat(TIME, new byte[32_000 / 5], WEATHER);

        Session plain = new Session("plain", null, false);
        plain.feed(audio);
        plain.end();
        assertThat(finals(plain.all))
                .as("Vosk's own endpointing cuts in that pause")
                .hasSize(2);

        Session joined = new Session("long", 2000, false);
        joined.feed(audio);
        joined.end();
        assertThat(finals(joined.all))
                .as("a pause shorter than endpointingMs stays inside one final")
                .extracting(TranscriptFinal::text)
                .hasSize(1);
        assertThat(WordErrorRate.of(
                        "what time is it the weather is nice today",
                        finals(joined.all).get(0).text()))
                .isLessThanOrEqualTo(0.25);

        Session quick = new Session("short", 300, false);
        List<Long> finalAtMs = new ArrayList<>();
        for (int off = 0; off < audio.length; off += 3200) {
            if (!finals(quick.chunk(java.util.Arrays.copyOfRange(audio, off, Math.min(audio.length, off + 3200))))
                    .isEmpty()) {
                finalAtMs.add(ms(Math.min(audio.length, off + 3200)));
            }
        }
        quick.end();
        List<TranscriptFinal> cut = finals(quick.all);
        assertThat(cut).hasSize(2);
        // The first final leaves with the chunk that holds the end of its speech plus 300 ms (and the detector's tail).
        long lag = finalAtMs.get(0) - cut.get(0).endMs();
        System.out.printf("endpointingMs 300: first final out %d ms of audio after its last word%n", lag);
        assertThat(lag).isBetween(300L, 300L + 100 + 200);
    }

    @Test
    void speechEventsMarkWhereSpeechStarts() {
        byte[] audio = concat(TIME, new byte[32_000], WEATHER);
        Session s = new Session("speech", null, true);
        s.feed(audio);
        s.end();
        List<SpeechStarted> onsets = s.all.stream()
                .filter(SpeechStarted.class::isInstance)
                .map(SpeechStarted.class::cast)
                .toList();
        List<TranscriptFinal> finals = finals(s.all);
        assertThat(onsets).hasSize(2);
        assertThat(finals).hasSize(2);
        for (int i = 0; i < 2; i++) {
            long diff = onsets.get(i).atMs() - finals.get(i).startMs();
            System.out.printf(
                    "speech_started %d at %d ms; Vosk's first word at %d ms (%+d ms)%n",
                    i, onsets.get(i).atMs(), finals.get(i).startMs(), diff);
            assertThat(Math.abs(diff))
                    .as("onset vs the recogniser's first word")
                    .isLessThanOrEqualTo(200);
            assertThat(s.all.indexOf(onsets.get(i)))
                    .as("announced before its final")
                    .isLessThan(s.all.indexOf(finals.get(i)));
        }
    }

    /** One session fed through {@link WorkerSessions#handle}, keeping every output. */
    private static final class Session {
        final String id;
        final List<PipelineEvent> all = new ArrayList<>();
        long seq;

        Session(String name, Integer endpointingMs, boolean speechEvents) {
            id = name + "-" + System.nanoTime();
            all.addAll(recognizers.handle(
                    TestEvents.started(id, "u", "n", 1, endpointingMs, speechEvents ? Boolean.TRUE : null)));
        }

        List<PipelineEvent> chunk(byte[] pcm) {
            List<PipelineEvent> out = recognizers.handle(new AudioChunk(id, seq, seq * 3200, "pcm", 16000, 1, pcm));
            seq++;
            all.addAll(out);
            return out;
        }

        void feed(byte[] pcm) {
            for (int off = 0; off < pcm.length; off += 3200) {
                chunk(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 3200)));
            }
        }

        List<PipelineEvent> flush() {
            List<PipelineEvent> out = recognizers.handle(new SessionFlushed(id, seq - 1, System.nanoTime()));
            all.addAll(out);
            return out;
        }

        List<PipelineEvent> end() {
            List<PipelineEvent> out = recognizers.handle(new SessionEnded(id, seq - 1, 0, "end", 1));
            all.addAll(out);
            return out;
        }
    }

    /** The finals among these events (also used by the other recognition tests). */
    static List<TranscriptFinal> finals(List<PipelineEvent> events) {
        return events.stream()
                .filter(TranscriptFinal.class::isInstance)
                .map(TranscriptFinal.class::cast)
                .toList();
    }

    private static long ms(byte[] pcm) {
        return ms(pcm.length);
    }

    private static long ms(int bytes) {
        return bytes * 1000L / 32_000;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
