package com.realtimevoice.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.TokenSettings;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Every bad input of the contract, tried against a running node: the error code and close code each one gets.
 * The table it writes (target/security/bad-inputs.md) is the one in docs/security.md. Meanwhile a well-behaved
 * client keeps pinging on its own connection, and its round-trip times are reported: a bad client must not slow it.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "ingest.node-id=bad-input-test",
            "ASR_TOPIC_PARTITIONS=1",
            "INGEST_MAX_CONTROL_MESSAGES_PER_SECOND=20",
            "INGEST_AUDIO_BURST=2s",
            "INGEST_MAX_SESSIONS_PER_USER=2",
            "INGEST_MAX_UPLOAD_SIZE=1MB",
            "INGEST_AUTH_TIMEOUT=2s"
        })
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCatalogTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    private final List<String> rows = new ArrayList<>();

    record Outcome(String code, String close) {}

    interface WsCase {
        Outcome run(StreamingClient c) throws Exception;
    }

    private String ws(String token) {
        return "ws://localhost:" + port + "/api/realtime-voice/stream" + (token == null ? "" : "?token=" + token);
    }

    private String token(String user) {
        return tokens.issue(user, Duration.ofMinutes(5));
    }

    /** Runs one case on a fresh connection and records what came back: the first error, and the close code if any. */
    private void ws(String input, String expectedCode, String expectedClose, String token, WsCase body)
            throws Exception {
        try (StreamingClient c = StreamingClient.connect(ws(token))) {
            Outcome o = body.run(c);
            record(input, "WebSocket", o, expectedCode, expectedClose);
        }
    }

    private static Outcome firstError(StreamingClient c, boolean expectClose) throws Exception {
        JsonNode error = c.await("error", WAIT);
        String close = "stays open";
        if (expectClose) {
            close = String.valueOf(c.awaitClose(WAIT));
        } else {
            c.send("{\"type\":\"ping\"}");
            c.await("pong", WAIT);
        }
        return new Outcome(error.get("code").asString(), close);
    }

    private static void started(StreamingClient c) throws Exception {
        c.send("{\"type\":\"start\"}");
        c.await("started", WAIT);
    }

    private void record(String input, String where, Outcome o, String expectedCode, String expectedClose) {
        rows.add("| " + input + " | " + where + " | `" + o.code() + "` | " + o.close() + " |");
        assertThat(o.code()).as(input).isEqualTo(expectedCode);
        assertThat(o.close()).as(input).isEqualTo(expectedClose);
    }

    @Test
    void everyBadInputGetsItsDocumentedAnswerAndOthersAreNotSlowedDown() throws Exception {
        // A well-behaved client on its own connection, pinging throughout.
        List<Long> rtts = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        StreamingClient victim = StreamingClient.connect(ws(token("victim")));
        CompletableFuture<Void> pinger = CompletableFuture.runAsync(() -> {
            try {
                while (running.get()) {
                    long t = System.nanoTime();
                    victim.send("{\"type\":\"ping\"}");
                    victim.await("pong", WAIT);
                    rtts.add((System.nanoTime() - t) / 1_000);
                    Thread.sleep(100); // 10 a second: well under the flood limit
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        String alice = token("alice");
        ws("malformed JSON `{oops`", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{oops");
            return firstError(c, false);
        });
        ws("JSON that is not an object `[1,2]`", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("[1,2]");
            return firstError(c, false);
        });
        ws("unknown `type`", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"dance\"}");
            return firstError(c, false);
        });
        ws("audio before `start`", "BAD_REQUEST", "stays open", alice, c -> {
            c.sendAudio(new byte[3200]);
            return firstError(c, false);
        });
        ws("a second `start`", "BAD_REQUEST", "stays open", alice, c -> {
            started(c);
            c.send("{\"type\":\"start\"}");
            return firstError(c, false);
        });
        ws("text where audio is expected", "BAD_REQUEST", "stays open", alice, c -> {
            started(c);
            c.send("AAAA//8AAP//");
            return firstError(c, false);
        });
        ws("`end` with no session", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"end\"}");
            return firstError(c, false);
        });
        ws("`flush` with no session", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"flush\"}");
            return firstError(c, false);
        });
        ws("`endpointingMs` out of its range (99)", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"endpointingMs\":99}");
            return firstError(c, false);
        });
        ws("unsupported `format` (`ogg`)", "UNSUPPORTED_FORMAT", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"format\":\"ogg\"}");
            return firstError(c, false);
        });
        ws("nonsense `sampleRate` (7)", "UNSUPPORTED_FORMAT", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"sampleRate\":7}");
            return firstError(c, false);
        });
        ws("odd byte count for 16-bit PCM", "BAD_REQUEST", "stays open", alice, c -> {
            started(c);
            c.sendAudio(new byte[3201]);
            return firstError(c, false);
        });
        ws("empty binary frame", "BAD_REQUEST", "stays open", alice, c -> {
            started(c);
            c.sendAudio(new byte[0]);
            return firstError(c, false);
        });
        ws("binary frame over the size limit", "TOO_LARGE", "1009", alice, c -> {
            started(c);
            c.sendAudio(new byte[70_000]);
            return firstError(c, true);
        });
        ws("text frame over the size limit", "TOO_LARGE", "1009", alice, c -> {
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(9000) + "\"}");
            return firstError(c, true);
        });
        ws("control-message flood (30 pings at once)", "RATE_LIMITED", "stays open", alice, c -> {
            for (int i = 0; i < 30; i++) {
                c.send("{\"type\":\"ping\"}");
            }
            Outcome o = new Outcome(c.await("error", WAIT).get("code").asString(), "stays open");
            Thread.sleep(1100);
            c.send("{\"type\":\"ping\"}");
            c.await("pong", WAIT);
            return o;
        });
        ws("audio far faster than real time (10 s at once)", "RATE_LIMITED", "1008", alice, c -> {
            started(c);
            for (int i = 0; i < 10 && c.receivedOfType("error").isEmpty(); i++) {
                c.sendAudio(new byte[32000]);
            }
            return firstError(c, true);
        });
        ws("`format` longer than its column (`pcm;channels=1;;;;;;;;;`)", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"format\":\"pcm;channels=1;;;;;;;;;\"}");
            return firstError(c, false);
        });
        ws("`sampleRate` beyond long range (10^26)", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"sampleRate\":99999999999999999999999999}");
            return firstError(c, false);
        });
        ws("`resume` with `lastIndex` beyond int range", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"resume\",\"sessionId\":\"" + UUID.randomUUID()
                    + "\",\"resumeToken\":\"x\",\"lastIndex\":2147483648}");
            return firstError(c, false);
        });
        ws("`userId` that is not a JSON scalar (`{}`)", "BAD_REQUEST", "stays open", alice, c -> {
            c.send("{\"type\":\"start\",\"userId\":{}}");
            return firstError(c, false);
        });
        ws("`resume` of an unknown session", "SESSION_NOT_FOUND", "stays open", alice, c -> {
            c.send("{\"type\":\"resume\",\"sessionId\":\"" + UUID.randomUUID()
                    + "\",\"resumeToken\":\"x\",\"lastIndex\":-1}");
            return firstError(c, false);
        });
        String sam = token("sam");
        try (StreamingClient a = StreamingClient.connect(ws(sam));
                StreamingClient b = StreamingClient.connect(ws(sam))) {
            started(a);
            started(b);
            ws("a third concurrent session for one user (limit 2)", "RATE_LIMITED", "stays open", sam, c -> {
                c.send("{\"type\":\"start\"}");
                return firstError(c, false);
            });
        }
        ws("`start` with no token anywhere", "UNAUTHORIZED", "1008", null, c -> {
            c.send("{\"type\":\"start\"}");
            return firstError(c, true);
        });
        ws("no token within the auth timeout", "UNAUTHORIZED", "1008", null, c -> firstError(c, true));
        ws("garbage token", "UNAUTHORIZED", "1008", "not-a-jwt", c -> firstError(c, true));
        ws("expired token", "UNAUTHORIZED", "1008", expiredToken(), c -> firstError(c, true));
        ws("unsigned token (`alg: none`)", "UNAUTHORIZED", "1008", unsignedToken(), c -> firstError(c, true));
        ws("token signed with another key", "UNAUTHORIZED", "1008", foreignToken(), c -> firstError(c, true));
        ws("tampered token payload", "UNAUTHORIZED", "1008", tampered(alice), c -> firstError(c, true));

        upload("no token", null, "time.wav", Files.readAllBytes(SpeechFixtures.wav("time.wav")), "401 UNAUTHORIZED");
        upload("no `audio` field", alice, null, null, "400 BAD_REQUEST");
        upload("empty file", alice, "a.wav", new byte[0], "400 BAD_REQUEST");
        byte[] riffGarbage =
                ("RIFF\u0010\u0000\u0000\u0000WAVE" + "this is not audio at all").getBytes(StandardCharsets.ISO_8859_1);
        upload("non-audio bytes behind a RIFF header", alice, "a.wav", riffGarbage, "400 BAD_REQUEST");
        upload(
                "`.wav` name without a RIFF header",
                alice,
                "a.wav",
                "hello".getBytes(StandardCharsets.US_ASCII),
                "400 BAD_REQUEST");
        upload("upload over the size limit (1 MB here)", alice, "big.pcm", new byte[1_200_000], "413 TOO_LARGE");
        upload(
                "`language` longer than its column (33 characters)",
                alice,
                "time.wav",
                Files.readAllBytes(SpeechFixtures.wav("time.wav")),
                "400 BAD_REQUEST",
                "language",
                "a".repeat(33));

        HttpResponse<String> wrongPath = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/realtime-voice/streem"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        record(
                "unknown path under `/api/`",
                "HTTP",
                new Outcome(code(wrongPath), "404 JSON with a hint"),
                "404 NOT_FOUND",
                "404 JSON with a hint");

        running.set(false);
        pinger.join();
        victim.close();
        List<Long> sorted = rtts.stream().sorted().toList();
        long p50 = sorted.get(sorted.size() / 2);
        long max = sorted.get(sorted.size() - 1);
        writeTable(sorted.size(), p50, max);
        assertThat(sorted).as("the well-behaved client kept being answered").hasSizeGreaterThan(10);
        assertThat(max)
                .as("no answer to the well-behaved client took a second (µs)")
                .isLessThan(1_000_000);
    }

    /** {@code fields}: extra form fields, name then value. */
    private void upload(String input, String token, String filename, byte[] content, String expected, String... fields)
            throws Exception {
        String boundary = "----rv" + UUID.randomUUID();
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n"
                            + fields[i + 1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (content != null) {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"" + filename
                            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            parts.add(content);
            parts.add("\r\n".getBytes(StandardCharsets.UTF_8));
        } else {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        parts.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/realtime-voice/recognize"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        record(
                input,
                "POST /recognize",
                new Outcome(code(r), "HTTP " + r.statusCode()),
                expected,
                "HTTP " + expected.substring(0, 3));
    }

    private static String code(HttpResponse<String> r) {
        return r.statusCode() + " "
                + StreamingClient.JSON.readTree(r.body()).path("code").asString();
    }

    private String expiredToken() {
        TokenService past = new TokenService(
                new TokenSettings(
                        "local-dev-secret-change-me-0123456789abcdef",
                        "realtime-voice",
                        "realtime-voice-clients",
                        Duration.ZERO),
                java.time.Clock.fixed(java.time.Instant.now().minus(Duration.ofHours(2)), java.time.ZoneOffset.UTC));
        return past.issue("alice", Duration.ofMinutes(5));
    }

    private static String foreignToken() {
        return new TokenService(new TokenSettings(
                        "some-other-secret-some-other-secret-00",
                        "realtime-voice",
                        "realtime-voice-clients",
                        Duration.ZERO))
                .issue("alice", Duration.ofMinutes(5));
    }

    private static String unsignedToken() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(
                        ("{\"sub\":\"alice\",\"iss\":\"realtime-voice\",\"aud\":\"realtime-voice-clients\",\"exp\":"
                                        + (System.currentTimeMillis() / 1000 + 300) + "}")
                                .getBytes(StandardCharsets.UTF_8))
                + ".";
    }

    private static String tampered(String token) {
        String[] p = token.split("\\.");
        String payload =
                new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8).replace("alice", "admin");
        return p[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + p[2];
    }

    private void writeTable(int pings, long p50, long max) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| bad input | where | error code | connection afterwards |\n| --- | --- | --- | --- |\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append("\nMeanwhile a well-behaved client on its own connection sent ")
                .append(pings)
                .append(" pings: median round trip ")
                .append(p50 / 1000.0)
                .append(" ms, slowest ")
                .append(max / 1000.0)
                .append(" ms.\n");
        Path out = Path.of("target", "security", "bad-inputs.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
    }

    @AfterAll
    void show() {
        System.out.println(String.join("\n", rows));
    }
}
