package com.realtimevoice.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.clients.SharedCluster;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code transcribe} against the real product: finals as lines, partials in place, and an exit code per outcome; then
 * {@code sessions}, {@code export} and {@code delete} on what it left in the history.
 */
@ExtendWith(SharedCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranscribeEndToEndTest {

    private String base;

    @BeforeAll
    void product(SharedCluster.Ref product) {
        base = "http://localhost:" + product.get().ingestPort(0);
    }

    record Run(int code, String out, String err) {}

    /** transcribe with these arguments, with nothing on standard input, which is not a terminal. */
    private Run transcribe(String... args) {
        return transcribe(new byte[0], false, args);
    }

    private Run transcribe(byte[] stdin, boolean tty, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Transcribe(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(stdin),
                        tty)
                .run(args);
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("transcribe " + String.join(" ", args) + " -> " + code + "\n" + r.out() + r.err());
        return r;
    }

    private Run history(String command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new History(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(command, args);
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(command + " " + String.join(" ", args) + " -> " + code + "\n" + r.out() + r.err());
        return r;
    }

    /**
     * {@code watch URL} follows a session the speaker shares, live: started while the speaker streams, it prints
     * the finals so far and the live ones, once each, and exits 0 when the session completes; a forged link exits 1.
     */
    @Test
    void watchFollowsASharedSessionLiveAndEndsWithIt() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String token = com.realtimevoice.testsupport.StreamingClient.JSON
                .readTree(http.send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/auth/dev-token"))
                                        .header("Content-Type", "application/json")
                                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                                "{\"userId\":\"cli-watch\"}"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("token")
                .asString();
        try (com.realtimevoice.testsupport.StreamingClient speaker =
                com.realtimevoice.testsupport.StreamingClient.connect(
                        base.replace("http", "ws") + "/api/realtime-voice/stream?token=" + token)) {
            speaker.send("{\"type\":\"start\"}");
            String sessionId = speaker.await("started", java.time.Duration.ofSeconds(20))
                    .get("sessionId")
                    .asString();
            java.net.http.HttpResponse<String> link = http.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(base + "/api/sessions/" + sessionId + "/watchers"))
                            .header("Authorization", "Bearer " + token)
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(link.statusCode()).as(link.body()).isEqualTo(200);
            String url = com.realtimevoice.testsupport.StreamingClient.JSON
                    .readTree(link.body())
                    .get("url")
                    .asString();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            java.util.concurrent.CompletableFuture<Integer> watching =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return new Watch(
                                            new PrintStream(out, true, StandardCharsets.UTF_8),
                                            new PrintStream(err, true, StandardCharsets.UTF_8))
                                    .run(new String[] {url});
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            speaker.streamPcm(SpeechFixtures.pcm("sentences.wav"), 3.0);
            speaker.send("{\"type\":\"end\"}");
            String text = speaker.await("completed", java.time.Duration.ofSeconds(60))
                    .get("text")
                    .asString();
            assertThat(watching.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as(err.toString(StandardCharsets.UTF_8))
                    .isZero();
            assertThat(String.join(
                            " ", out.toString(StandardCharsets.UTF_8).lines().toList()))
                    .isEqualTo(text);

            ByteArrayOutputStream err2 = new ByteArrayOutputStream();
            int refused = new Watch(
                            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                            new PrintStream(err2, true, StandardCharsets.UTF_8))
                    .run(new String[] {url.replaceAll("token=.*", "token=forged.x")});
            assertThat(refused).isEqualTo(1);
            assertThat(err2.toString(StandardCharsets.UTF_8)).contains("invalid or has expired");
        }
    }

    /** A session streamed with the CLI is listed, exported as SubRip and text, deleted, and then gone. */
    @Test
    void sessionsExportAndDeleteWorkOnTheCallersHistory() throws Exception {
        String user = "cli-history";
        assertThat(transcribe(
                                "--url",
                                base,
                                "--user",
                                user,
                                "--speed",
                                "3",
                                SpeechFixtures.wav("weather.wav").toString())
                        .code())
                .isZero();
        Run listed = history("sessions", "--url", base, "--user", user);
        assertThat(listed.code()).isZero();
        assertThat(listed.out().lines().toList()).hasSize(1);
        String[] columns = listed.out().lines().findFirst().orElseThrow().split("  ");
        String id = columns[0];
        assertThat(columns[3]).isEqualTo("COMPLETED");
        assertThat(columns[4]).contains("weather");

        java.nio.file.Path srt = java.nio.file.Files.createTempFile("cli-export", ".srt");
        assertThat(history("export", id, "--url", base, "--user", user, "--out", srt.toString())
                        .code())
                .isZero();
        assertThat(java.nio.file.Files.readString(srt))
                .startsWith("1\n00:00:")
                .contains(" --> ")
                .contains("weather");
        Run text = history("export", id, "--format", "txt", "--url", base, "--user", user);
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("weather").doesNotContain("-->");
        assertThat(history("export", id, "--url", base, "--user", "cli-someone-else")
                        .code())
                .as("another user's session is not found")
                .isEqualTo(History.NOT_FOUND);
        assertThat(history("export", id, "--format", "docx", "--url", base, "--user", user)
                        .code())
                .isEqualTo(History.USAGE);

        assertThat(history("delete", id, "--url", base, "--user", user).code()).isZero();
        assertThat(history("export", id, "--url", base, "--user", user).code()).isEqualTo(History.NOT_FOUND);
        assertThat(history("delete", id, "--url", base, "--user", user).code()).isEqualTo(History.NOT_FOUND);
        Run empty = history("sessions", "--url", base, "--user", user);
        assertThat(empty.code()).isZero();
        assertThat(empty.out()).isEmpty();
        assertThat(history("sessions", "--limit", "0", "--url", base, "--user", user)
                        .code())
                .isEqualTo(History.USAGE);
    }

    @Test
    void aWavFileIsTranscribedWithFinalsAsLines() {
        Run r = transcribe(
                "--url",
                base,
                "--user",
                "cli-alice",
                "--speed",
                "3",
                SpeechFixtures.wav("sentences.wav").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().count()).as("one line per final").isGreaterThanOrEqualTo(2);
        assertThat(r.out()).doesNotContain("\r");
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("sentences.wav"),
                        String.join(" ", r.out().lines().toList())))
                .isLessThanOrEqualTo(0.25);
        assertThat(r.err()).contains("completed:");
    }

    @Test
    void onATerminalPartialsAreRewrittenInPlace() {
        Run r = transcribe(
                new byte[0],
                true,
                "--url",
                base,
                "--user",
                "cli-bob",
                "--speed",
                "2",
                SpeechFixtures.wav("weather.wav").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\r\033[K");
        String[] screenLines = r.out().replaceAll("[^\n]*\r\033\\[K", "").split("\n");
        assertThat(String.join(" ", screenLines)).contains("weather").contains("today");
    }

    /** Raw PCM on stdin, with --words: each final line is followed by its words, one indented line each. */
    @Test
    void rawPcmOnStdinWithWordTimings() {
        Run r = transcribe(
                SpeechFixtures.pcm("numbers.wav"),
                false,
                "--url",
                base,
                "--user",
                "cli-carol",
                "--speed",
                "3",
                "--words",
                "-");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("phone number");
        java.util.regex.Pattern word =
                java.util.regex.Pattern.compile("  (\\d+\\.\\d\\d)-(\\d+\\.\\d\\d) (\\S+) (0\\.\\d\\d|1\\.00)");
        String finalLine = null;
        java.util.List<String> spelled = new java.util.ArrayList<>();
        double previous = 0;
        int words = 0;
        for (String line : (r.out() + "\n").lines().toList()) {
            if (line.startsWith("  ")) {
                java.util.regex.Matcher m = word.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                assertThat(Double.parseDouble(m.group(1)))
                        .as(line)
                        .isGreaterThanOrEqualTo(previous)
                        .isLessThanOrEqualTo(Double.parseDouble(m.group(2)));
                previous = Double.parseDouble(m.group(1));
                spelled.add(m.group(3));
                words++;
            } else {
                if (finalLine != null) {
                    assertThat(String.join(" ", spelled)).isEqualTo(finalLine);
                }
                finalLine = line.isEmpty() ? null : line;
                spelled.clear();
            }
        }
        assertThat(words).as("word lines").isGreaterThanOrEqualTo(5);
    }

    @Test
    void aBadTokenExitsThree() {
        Run r = transcribe(
                "--url",
                base,
                "--token",
                "not-a-token",
                SpeechFixtures.wav("time.wav").toString());
        assertThat(r.code()).isEqualTo(Transcribe.AUTH);
        assertThat(r.err()).contains("authentication failed");
    }

    @Test
    void aServerErrorExitsFive() {
        Run r = transcribe(
                "--url",
                base,
                "--user",
                "cli-dave",
                "--engine",
                "nosuchengine",
                "--speed",
                "3",
                SpeechFixtures.wav("time.wav").toString());
        assertThat(r.code()).isEqualTo(Transcribe.SERVER_ERROR);
        assertThat(r.err()).contains("server error ENGINE_UNAVAILABLE");
    }

    @Test
    void aWrongPathExitsFourWithTheDoctorHint() {
        Run r = transcribe(
                "--url",
                base + "/api/realtime-voice/streem",
                "--user",
                "cli-erin",
                SpeechFixtures.wav("time.wav").toString());
        assertThat(r.code()).isEqualTo(Transcribe.CONNECTION);
        assertThat(r.err()).contains("HTTP 404").contains("doctor");
    }
}
