package com.realtimevoice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every server message against its golden file, byte for byte: the server's output is the contract clients in the
 * field parse, so a renamed or reordered field fails here before it reaches them.
 */
class ServerMessagesGoldenTest {

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of(
                        "started",
                        new ServerMessage.Started(
                                "3f1c2a9e-7b4d-4e21-9c55-0a8d6f2e1b77",
                                "czEudTEucGNtLjE2MDAw.c2lnbmF0dXJl",
                                "pcm",
                                16000,
                                true)),
                Arguments.of(
                        "started-options",
                        new ServerMessage.Started(
                                "3f1c2a9e-7b4d-4e21-9c55-0a8d6f2e1b77",
                                "czEudTEucGNtLjE2MDAw.c2lnbmF0dXJl",
                                "pcm",
                                16000,
                                true,
                                new ServerMessage.Options(
                                        true, List.of("Stella", "Dashwood"), false, "digits", "mask"))),
                Arguments.of("partial", new ServerMessage.Partial("s-1", 0, "hello wor")),
                Arguments.of("final", new ServerMessage.Final("s-1", 0, "hello world", 120, 1480)),
                Arguments.of(
                        "final-words",
                        new ServerMessage.Final(
                                "s-1",
                                0,
                                "hello world",
                                120,
                                1480,
                                List.of(
                                        new ServerMessage.Word("hello", 120, 640, 0.97),
                                        new ServerMessage.Word("world", 700, 1480, 1.0)))),
                Arguments.of(
                        "final-words-no-confidence",
                        new ServerMessage.Final(
                                "s-1",
                                3,
                                "今天天气很好。",
                                2000,
                                3400,
                                List.of(
                                        new ServerMessage.Word("今天", 2000, 2500, null),
                                        new ServerMessage.Word("天气", 2500, 2960, null),
                                        new ServerMessage.Word("很好", 2960, 3400, null)))),
                Arguments.of("completed", new ServerMessage.Completed("s-1", "hello world how are you", 2)),
                Arguments.of(
                        "error",
                        new ServerMessage.Error(
                                ErrorCode.BAD_REQUEST, "audio before start: send {\"type\":\"start\"} first")),
                Arguments.of(
                        "error-after-resume",
                        new ServerMessage.Error("SESSION_NOT_FOUND", "no session to resume", false)),
                Arguments.of("pong", new ServerMessage.Pong()),
                Arguments.of("ack", new ServerMessage.Ack("s-1", 41)),
                Arguments.of("resumed", new ServerMessage.Resumed("s-1", 3, 42)),
                Arguments.of("speech_started", new ServerMessage.SpeechStarted("s-1", 1240)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void writesTheGoldenBytesAndReadsThemBack(String name, ServerMessage message) throws IOException {
        String golden = golden("server/" + name);
        assertThat(ProtocolCodec.write(message)).isEqualTo(golden);
        assertThat(ProtocolCodec.parseServer(golden)).isEqualTo(message);
    }

    @Test
    void aCompletedWithoutTextSendsAnEmptyOne() {
        assertThat(ProtocolCodec.write(new ServerMessage.Completed("s-1", null, 0)))
                .isEqualTo("{\"type\":\"completed\",\"sessionId\":\"s-1\",\"text\":\"\",\"segments\":0}");
    }

    @Test
    void aMessageOfALaterVersionIsKeptAsItCame() {
        String json = "{\"type\":\"speech_ended\",\"sessionId\":\"s-1\",\"atMs\":1200}";
        assertThat(ProtocolCodec.parseServer(json)).isEqualTo(new ServerMessage.Other("speech_ended", json));
    }

    static String golden(String name) throws IOException {
        try (InputStream in = ServerMessagesGoldenTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            assertThat(in).as("golden file " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
