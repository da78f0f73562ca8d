package com.realtimevoice.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages that need no running product (the end-to-end ones are in local-runner). */
class TranscribeTest {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(byte[] stdin, String... args) {
        return new Transcribe(
                        new PrintStream(out, true), new PrintStream(err, true), new ByteArrayInputStream(stdin), false)
                .run(args);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mp3IsRejectedWithAClearMessage(@TempDir Path dir) throws Exception {
        Path mp3 = dir.resolve("talk.mp3");
        Files.write(mp3, new byte[] {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(run(new byte[0], "--user", "u", mp3.toString())).isEqualTo(Transcribe.USAGE);
        assertThat(err())
                .contains("MP3 input is not accepted by the server yet")
                .contains("16000");
    }

    @Test
    void mp3OnStdinIsRejectedToo() {
        assertThat(run(
                        new byte[] {(byte) 0xff, (byte) 0xfb, (byte) 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0},
                        "--token",
                        "t",
                        "-"))
                .isEqualTo(Transcribe.USAGE);
        assertThat(err()).contains("MP3");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run(new byte[0], "--token", "t")).isEqualTo(Transcribe.USAGE);
        assertThat(run(new byte[0], "--user", "u", "no-such-file.wav")).isEqualTo(Transcribe.USAGE);
        assertThat(run(new byte[0], "--bogus", "x.wav")).isEqualTo(Transcribe.USAGE);
        assertThat(err()).contains("unknown option --bogus").contains("usage: transcribe");
    }

    @Test
    void aClosedPortIsAConnectionFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(run(new byte[6400], "--url", "http://127.0.0.1:" + port, "--token", "t", "--speed", "max", "-"))
                .isEqualTo(Transcribe.CONNECTION);
        assertThat(err()).contains("connection refused").contains("doctor http://127.0.0.1:" + port);
    }

    @Test
    void noDevTokensOutsideTheLocalProfileIsAnAuthFailure() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"type\":\"error\",\"code\":\"NOT_FOUND\"}".getBytes();
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            assertThat(run(
                            new byte[6400],
                            "--url",
                            "http://127.0.0.1:" + server.getAddress().getPort(),
                            "--user",
                            "u",
                            "-"))
                    .isEqualTo(Transcribe.AUTH);
            assertThat(err()).contains("issues no development tokens").contains("--token");
        } finally {
            server.stop(0);
        }
    }
}
