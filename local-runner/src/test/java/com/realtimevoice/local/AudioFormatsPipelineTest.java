package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.WordErrorRate;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The committed format fixtures (fixtures/formats) through the whole embedded pipeline: uploaded to /recognize and
 * streamed over the WebSocket as a browser or mini-program would, converted by the worker, recognised by Vosk, the
 * transcript checked by word error rate.
 */
class AudioFormatsPipelineTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Path FORMATS = SpeechFixtures.DIR.resolveSibling("formats");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    void startCluster() {
        start(settings(DATABASE));
    }

    /**
     * The 16 kHz MP3 (48 kbit/s) reads "the weather is the ice today" (WER 0.4) in some checkouts and "... nice
     * today" in others, with dither off in all (2026-12-06, docs/engines.md): one word that the lossy encoding leaves
     * between two readings. Its rows allow that one split word; every other row keeps MAX_WER.
     */
    static final double MP3_WEATHER_WER = 0.4;

    @ParameterizedTest(name = "/recognize {0}")
    @CsvSource({
        "time-48k-ffmpeg.wav,       what time is it,                    0.25",
        "time-8k-float.wav,         what time is it,                    0.25",
        "weather-16k-24bit.wav,     the weather is nice today,          0.25",
        "weather-16k-mono.mp3,      the weather is nice today,          0.4",
        "sentences-44k1-stereo.mp3, turn on the kitchen light can you help me find the train station i would like to order a pizza, 0.25",
    })
    void uploads(String file, String reference, double maxWer) throws Exception {
        JsonNode body = Uploads.transcript(
                HTTP,
                Uploads.recognize(
                                scenarios.baseUrl(0),
                                scenarios.devToken("uploader"),
                                file,
                                "application/octet-stream",
                                Files.readAllBytes(FORMATS.resolve(file)))
                        .build());
        String text = body.get("text").asString();
        double wer = WordErrorRate.of(reference, text);
        System.out.printf("E2E /recognize %s: WER %.3f '%s'%n", file, wer, text);
        assertThat(maxWer).isIn(PipelineScenarios.MAX_WER, MP3_WEATHER_WER);
        assertThat(wer).as(body.toString()).isLessThanOrEqualTo(maxWer);
    }

    @Test
    void streamsStereoPcmAt22kHz() throws Exception {
        // 100 ms frames (22050 Hz x 2 channels x 2 bytes / 10), at four times real time
        assertThat(stream(
                        "{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":22050,\"channels\":2}",
                        "time-22k05-stereo.s16le",
                        8820,
                        25))
                .isEqualTo("what time is it");
    }

    @Test
    void streamsMp3AsWeChatRecorderManagerSendsIt() throws Exception {
        // frameSize 1 (KB): 1024-byte pieces of a 48 kbit/s stream, about 170 ms each, at four times real time
        String text = stream(
                "{\"type\":\"start\",\"format\":\"mp3\",\"sampleRate\":16000}", "weather-16k-mono.mp3", 1024, 42);
        assertThat(WordErrorRate.of("the weather is nice today", text)).as(text).isLessThanOrEqualTo(MP3_WEATHER_WER);
    }

    private String stream(String start, String file, int piece, long pauseMs) throws Exception {
        byte[] audio = Files.readAllBytes(FORMATS.resolve(file));
        try (StreamingClient c = StreamingClient.connect(scenarios.wsUrl(0, scenarios.devToken("streamer")))) {
            c.send(start);
            c.await("started", Duration.ofSeconds(20));
            for (int off = 0; off < audio.length; off += piece) {
                c.sendAudio(Arrays.copyOfRange(audio, off, Math.min(audio.length, off + piece)));
                Thread.sleep(pauseMs);
            }
            c.send("{\"type\":\"end\"}");
            JsonNode completed = c.await("completed", Duration.ofSeconds(60));
            String text = completed.get("text").asString();
            System.out.printf("E2E stream %s: '%s'%n", file, text);
            return text;
        }
    }
}
