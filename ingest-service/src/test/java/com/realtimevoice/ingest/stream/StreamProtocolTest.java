package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFlushed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.ingest.RunningNodeTest;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.testsupport.StreamingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The streaming contract as a client sees it, with a real (embedded KRaft) broker in place of the rest of
 * the pipeline: what goes to Kafka is read back from the audio topic, and results are fed into this node's
 * delivery topic as result-service would.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=protocol-test",
            "ASR_TOPIC_PARTITIONS=2",
            "INGEST_MAX_FRAME_BYTES=64000"
        })
@EmbeddedKafka(partitions = 2, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class StreamProtocolTest extends RunningNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    KafkaTemplate<String, byte[]> kafka;

    @Autowired
    IngestNode node;

    @RegisterExtension
    final AudioTopic audioTopic = AudioTopic.fromLatest("protocol-test");

    @Test
    void pingIsAnsweredEvenBeforeStartAndWithoutAToken() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(null))) {
            c.send("{\"type\":\"ping\"}");
            assertThat(c.await("pong", WAIT)).isNotNull();
        }
    }

    @Test
    void startWithoutATokenIsUnauthorizedAndClosedWith1008() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(null))) {
            c.send("{\"type\":\"start\"}");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNAUTHORIZED");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
        }
    }

    @Test
    void anInvalidTokenInTheQueryIsRejectedAtOnce() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl("not-a-jwt"))) {
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNAUTHORIZED");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
        }
    }

    @Test
    void theTokenMayComeInTheAuthorizationHeaderOrTheStartMessage() throws Exception {
        try (StreamingClient c = StreamingClient.connect(
                streamUrl(null), Map.of("Authorization", "Bearer " + tokens.issue("hdr", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\"}");
            assertThat(c.await("started", WAIT).get("sessionId").asString()).isNotBlank();
        }
        try (StreamingClient c = StreamingClient.connect(streamUrl(null))) {
            c.send("{\"type\":\"start\",\"token\":\"" + tokens.issue("msg", Duration.ofMinutes(5)) + "\"}");
            assertThat(c.await("started", WAIT).get("sessionId").asString()).isNotBlank();
        }
    }

    @Test
    void badInputGetsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("eve", Duration.ofMinutes(5))))) {
            c.send("{oops");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("BAD_REQUEST");
            c.send("{\"type\":\"sing\"}");
            assertThat(c.await("error", WAIT).get("message").asString()).contains("unknown type");
            c.sendAudio(new byte[3200]);
            assertThat(c.await("error", WAIT).get("message").asString()).contains("audio before start");
            c.send("{\"type\":\"start\",\"sampleRate\":44000}");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNSUPPORTED_FORMAT");
            c.send("{\"type\":\"start\",\"format\":\"ogg\"}");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNSUPPORTED_FORMAT");
            c.send("{\"type\":\"start\",\"channels\":6}");
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("UNSUPPORTED_FORMAT");
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            c.send("{\"type\":\"start\"}");
            assertThat(c.await("error", WAIT).get("message").asString()).contains("already");
            c.sendAudio(new byte[321]);
            assertThat(c.await("error", WAIT).get("message").asString()).contains("even number");
            c.send("{\"type\":\"ping\"}");
            assertThat(c.await("pong", WAIT)).isNotNull();
        }
    }

    @Test
    void anOversizedFrameIsTooLargeAndClosedWith1009() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("big", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\"}");
            c.await("started", WAIT);
            c.sendAudio(new byte[64002]);
            assertThat(c.await("error", WAIT).get("code").asString()).isEqualTo("TOO_LARGE");
            assertThat(c.awaitClose(WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void aSessionIsPublishedInOrderUnderItsKeyAndResultsComeBackToTheSocket() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("frank", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\",\"language\":\"en-US\",\"endpointingMs\":800.0,\"speechEvents\":true}");
            JsonNode started = c.await("started", WAIT);
            String sessionId = started.get("sessionId").asString();
            c.sendAudio(new byte[3200]);
            c.send("{\"type\":\"flush\"}");
            c.sendAudio(new byte[1600]);
            c.send("{\"type\":\"end\"}");

            List<PipelineEvent> published = readAudioTopic(sessionId, 5);
            assertThat(published).hasSize(5);
            SessionStarted s = (SessionStarted) published.get(0);
            assertThat(s.userId()).isEqualTo("frank");
            assertThat(s.endpointingMs()).isEqualTo(800);
            assertThat(s.wantsSpeechEvents()).isTrue();
            // the flush travels between the chunks it was sent between
            assertThat(((SessionFlushed) published.get(2)).lastSeq()).isZero();
            published.remove(2);
            assertThat(s.replyTopic()).isEqualTo(node.deliveryTopic());
            assertThat(s.language()).isEqualTo("en-US");
            AudioChunk first = (AudioChunk) published.get(1);
            AudioChunk second = (AudioChunk) published.get(2);
            assertThat(first.seq()).isZero();
            assertThat(first.byteOffset()).isZero();
            assertThat(second.seq()).isEqualTo(1);
            assertThat(second.byteOffset()).isEqualTo(3200);
            assertThat(second.audio()).hasSize(1600);
            SessionEnded ended = (SessionEnded) published.get(3);
            assertThat(ended.lastSeq()).isEqualTo(1);
            assertThat(ended.totalBytes()).isEqualTo(4800);

            // What result-service would send back to this node.
            long now = System.currentTimeMillis();
            deliver(new SpeechStarted(sessionId, 420, now));
            assertThat(c.await("speech_started", WAIT).get("atMs").asLong()).isEqualTo(420);
            deliver(new TranscriptPartial(sessionId, 0, "hello wor", now));
            deliver(new TranscriptFinal(sessionId, 0, "hello world", 0, 900, "vosk", now, now));
            deliver(new SessionCompleted(sessionId, 1, "hello world", now));
            assertThat(c.await("partial", WAIT).get("text").asString()).isEqualTo("hello wor");
            JsonNode fin = c.await("final", WAIT);
            assertThat(fin.get("index").asInt()).isZero();
            assertThat(fin.get("endMs").asLong()).isEqualTo(900);
            JsonNode completed = c.await("completed", WAIT);
            assertThat(completed.get("text").asString()).isEqualTo("hello world");
            assertThat(completed.get("segments").asInt()).isEqualTo(1);

            // Once completed, the connection can run another session.
            c.send("{\"type\":\"start\"}");
            assertThat(c.await("started", WAIT).get("sessionId").asString()).isNotEqualTo(sessionId);
        }
    }

    /**
     * The container's per-socket buffers are small (2 KB audio, 512 chars text, for idle-socket memory), so larger
     * messages reach the handler in parts: they must come out whole, byte for byte, in both directions.
     */
    @Test
    void messagesLargerThanTheSocketBuffersArriveWholeBothWays() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(null))) {
            // a start of ~3 KB: the token in the message plus a long engine-specific field
            String token = tokens.issue("ivan", Duration.ofMinutes(5));
            c.send("{\"type\":\"start\",\"token\":\"" + token + "\",\"language\":\"en-US\",\"padding\":\""
                    + "x".repeat(3000) + "\"}");
            String sessionId = c.await("started", WAIT).get("sessionId").asString();
            byte[] second = new byte[32000]; // 1 s of 16 kHz PCM: eight times the binary buffer
            for (int i = 0; i < second.length; i++) {
                second[i] = (byte) (i * 31 + 7);
            }
            c.sendAudio(new byte[3200]);
            c.sendAudio(second);
            c.sendAudio(new byte[2050]); // just over one buffer
            c.send("{\"type\":\"end\"}");
            List<PipelineEvent> published = readAudioTopic(sessionId, 5);
            assertThat(published).hasSize(5);
            assertThat(((AudioChunk) published.get(1)).audio()).hasSize(3200);
            assertThat(((AudioChunk) published.get(2)).audio()).isEqualTo(second);
            assertThat(((AudioChunk) published.get(3)).audio()).hasSize(2050);
            assertThat(((AudioChunk) published.get(3)).byteOffset()).isEqualTo(35200);

            String longText = "word ".repeat(2000).trim(); // 10 KB out: many of the 1 KB write buffers
            long now = System.currentTimeMillis();
            deliver(new TranscriptFinal(sessionId, 0, longText, 0, 900, "vosk", now, now));
            assertThat(c.await("final", WAIT).get("text").asString()).isEqualTo(longText);
        }
    }

    @Test
    void healthAndUnknownApiPathsAnswerJson() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(StreamingClient.JSON.readTree(health.body()).get("status").asString())
                .isEqualTo("UP");

        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/realtime-voice/streem"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(404);
        assertThat(wrong.headers().firstValue("Content-Type").orElse("")).contains("json");
        assertThat(StreamingClient.JSON.readTree(wrong.body()).get("hint").asString())
                .contains("/api/realtime-voice/stream");
    }

    @Test
    void otherRatesStereoAndMp3AreTakenAndLabelledForTheWorker() throws Exception {
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("grace", Duration.ofMinutes(5))))) {
            c.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":44100,\"channels\":2}");
            JsonNode started = c.await("started", WAIT);
            assertThat(started.get("format").asString()).isEqualTo("pcm");
            assertThat(started.get("sampleRate").asInt()).isEqualTo(44100);
            String stereo = started.get("sessionId").asString();
            c.sendAudio(new byte[4410]); // not a whole number of stereo sample frames
            assertThat(c.await("error", WAIT).get("message").asString()).contains("multiple of 4");
            c.sendAudio(new byte[17640]);
            c.send("{\"type\":\"end\"}");
            List<PipelineEvent> published = readAudioTopic(stereo, 3);
            assertThat(((SessionStarted) published.get(0)).format()).isEqualTo("pcm;channels=2");
            AudioChunk chunk = (AudioChunk) published.get(1);
            assertThat(chunk.format()).isEqualTo("pcm;channels=2");
            assertThat(chunk.sampleRate()).isEqualTo(44100);
        }
        try (StreamingClient c = StreamingClient.connect(streamUrl(tokens.issue("heidi", Duration.ofMinutes(5))))) {
            // WeChat RecorderManager: format 'mp3', frameSize in KB, frames cut anywhere (odd lengths too)
            c.send("{\"type\":\"start\",\"format\":\"mp3\",\"sampleRate\":16000}");
            String mp3 = c.await("started", WAIT).get("sessionId").asString();
            c.sendAudio(new byte[1025]);
            c.send("{\"type\":\"end\"}");
            List<PipelineEvent> published = readAudioTopic(mp3, 3);
            assertThat(((AudioChunk) published.get(1)).format()).isEqualTo("mp3");
            assertThat(((AudioChunk) published.get(1)).audio()).hasSize(1025);
        }
    }

    private void deliver(PipelineEvent event) throws Exception {
        kafka.send(EventRecords.toRecord(node.deliveryTopic(), event)).get();
    }

    private List<PipelineEvent> readAudioTopic(String sessionId, int expected) {
        List<PipelineEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.size() < expected && System.nanoTime() < deadline) {
            audioTopic.consumer().poll(Duration.ofMillis(200)).forEach(r -> {
                if (sessionId.equals(r.key())) {
                    events.add(EventRecords.fromRecord(r));
                }
            });
        }
        return events;
    }
}
