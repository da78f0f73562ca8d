package com.realtimevoice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every client message against its golden file: what the Java clients send is what the server parses. */
class ClientMessagesGoldenTest {

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of(
                        "start",
                        new ClientMessage.Start("eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "pcm", 16000, "en", "vosk", true)),
                Arguments.of(
                        "start-words",
                        new ClientMessage.Start(
                                null, "pcm", 16000, "en", null, false, true, null, false, RecognitionOptions.NONE)),
                Arguments.of(
                        "start-options",
                        new ClientMessage.Start(
                                null,
                                "pcm",
                                16000,
                                "en",
                                null,
                                true,
                                false,
                                null,
                                false,
                                new RecognitionOptions(
                                        java.util.List.of("Stella", "Dashwood"), false, "digits", "mask"))),
                Arguments.of("start-stereo", new ClientMessage.Start(null, "pcm;channels=2", 48000, null, null, false)),
                Arguments.of(
                        "start-streaming-controls",
                        new ClientMessage.Start(
                                null, "pcm", 16000, null, null, true, false, 800, true, RecognitionOptions.NONE)),
                Arguments.of("flush", new ClientMessage.Flush()),
                Arguments.of("end", new ClientMessage.End()),
                Arguments.of("ping", new ClientMessage.Ping()),
                Arguments.of(
                        "resume",
                        new ClientMessage.Resume(
                                "s-1", "czEudTEucGNtLjE2MDAw.c2lnbmF0dXJl", 3, 42L, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln")),
                Arguments.of(
                        "resume-minimal",
                        new ClientMessage.Resume("s-1", "czEudTEucGNtLjE2MDAw.c2lnbmF0dXJl", -1, null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void writesTheGoldenBytesAndParsesThemBack(String name, ClientMessage message) throws IOException {
        String golden = ServerMessagesGoldenTest.golden("client/" + name);
        assertThat(ProtocolCodec.write(message)).isEqualTo(golden);
        assertThat(ProtocolCodec.parseClient(golden)).isEqualTo(message);
    }
}
