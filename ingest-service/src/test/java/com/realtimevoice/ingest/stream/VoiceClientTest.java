package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/** The Java client library against the real ingest server: start, acked audio, a dropped socket resumed. */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "ingest.node-id=voice-client-test", "ASR_TOPIC_PARTITIONS=1"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class VoiceClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    @Test
    void streamsWithAcksAndResumesADroppedSessionReSendingWhatTheServerLacks() throws Exception {
        String token = tokens.issue("vera", Duration.ofMinutes(5));
        VoiceClient client = new VoiceClient(
                HttpClient.newHttpClient(), URI.create("ws://localhost:" + port + "/api/realtime-voice/stream"), WAIT);
        BlockingQueue<ServerMessage> received = new LinkedBlockingQueue<>();
        VoiceSession.Listener listener = new VoiceSession.Listener() {
            @Override
            public void onMessage(VoiceSession session, ServerMessage message) {
                received.add(message);
            }
        };

        VoiceSession first =
                client.connect(token, VoiceClient.TokenIn.QUERY, listener).get(15, TimeUnit.SECONDS);
        first.start(new ClientMessage.Start(null, "pcm", 16000, null, null, true));
        ServerMessage.Started started = await(received, ServerMessage.Started.class);
        assertThat(first.sessionId()).isEqualTo(started.sessionId());
        for (int i = 0; i < 5; i++) {
            first.sendAudio(new byte[3200]);
        }
        eventually(() -> first.unackedChunks() == 0);
        assertThat(first.firstUnacked()).isEqualTo(5);

        for (int i = 0; i < 3; i++) {
            first.sendAudio(new byte[3200]);
        }
        first.abort(); // the network drops, perhaps before the last chunks were acked
        received.clear();

        VoiceSession again =
                client.resume(first, token, VoiceClient.TokenIn.HEADER).get(15, TimeUnit.SECONDS);
        ServerMessage.Resumed resumed = await(received, ServerMessage.Resumed.class);
        assertThat(resumed.sessionId()).isEqualTo(started.sessionId());
        assertThat(resumed.nextSeq()).isBetween(5L, 8L);
        eventually(() -> again.unackedChunks() == 0);
        assertThat(again.firstUnacked())
                .as("every chunk is acked after the re-send")
                .isEqualTo(8);
        again.sendAudio(new byte[3200]);
        eventually(() -> again.firstUnacked() == 9);
        again.close().get(15, TimeUnit.SECONDS);
    }

    @Test
    void aPacedClientReSendsTheBacklogChunkByChunkUnderTheOldNumbers() throws Exception {
        String token = tokens.issue("paula", Duration.ofMinutes(5));
        VoiceClient client = new VoiceClient(
                        HttpClient.newHttpClient(),
                        URI.create("ws://localhost:" + port + "/api/realtime-voice/stream"),
                        WAIT)
                .withHeader("User-Agent", "voice-client-test");
        BlockingQueue<ServerMessage> first = new LinkedBlockingQueue<>();
        BlockingQueue<ServerMessage> second = new LinkedBlockingQueue<>();

        VoiceSession dropped = client.connect(token, VoiceClient.TokenIn.HEADER, listener(first))
                .get(15, TimeUnit.SECONDS)
                .resendOnResume(false);
        dropped.start(new ClientMessage.Start(null, "pcm", 16000, null, null, true));
        await(first, ServerMessage.Started.class);
        for (int i = 0; i < 4; i++) {
            dropped.sendAudio(new byte[3200]);
        }
        eventually(() -> dropped.unackedChunks() == 0);
        for (int i = 0; i < 3; i++) {
            dropped.sendAudio(new byte[3200]);
        }
        dropped.abort(); // perhaps before the last chunks were acked

        VoiceSession again = client.resume(dropped, token, VoiceClient.TokenIn.HEADER, listener(second))
                .get(15, TimeUnit.SECONDS);
        ServerMessage.Resumed resumed = await(second, ServerMessage.Resumed.class);
        assertThat(resumed.nextSeq()).isBetween(4L, 7L);
        assertThat(first)
                .as("the dropped connection's listener hears nothing of the new one")
                .noneMatch(m -> m instanceof ServerMessage.Resumed);
        assertThat(again.backlog())
                .as("nothing re-sent yet: the chunks the server lacks wait")
                .isEqualTo((int) (7 - resumed.nextSeq()));
        for (long seq = resumed.nextSeq(); seq < 7; seq++) {
            assertThat(again.nextToSend()).isEqualTo(seq);
            assertThat(again.resendNext().get(15, TimeUnit.SECONDS)).isEqualTo(seq);
        }
        assertThat(again.resendNext().get(15, TimeUnit.SECONDS)).isEqualTo(-1L);
        eventually(() -> again.unackedChunks() == 0);
        assertThat(again.firstUnacked())
                .as("every chunk is acked after the re-send")
                .isEqualTo(7);
        assertThat(again.rewind())
                .as("everything is acked: a rewind has nothing to re-send")
                .isZero();
        assertThat(again.nextToSend()).isEqualTo(7);
        again.close().get(15, TimeUnit.SECONDS);
    }

    private static VoiceSession.Listener listener(BlockingQueue<ServerMessage> received) {
        return new VoiceSession.Listener() {
            @Override
            public void onMessage(VoiceSession session, ServerMessage message) {
                received.add(message);
            }
        };
    }

    private static <T extends ServerMessage> T await(BlockingQueue<ServerMessage> received, Class<T> type)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ServerMessage m = received.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
    }

    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
