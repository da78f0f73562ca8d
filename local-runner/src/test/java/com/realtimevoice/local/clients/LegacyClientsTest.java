package com.realtimevoice.local.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.io.OutputStream;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compatibility suite: the old service's own clients (clients/legacy, kept verbatim) replayed against the real
 * product: its browser console snippet in headless Chromium, its mini-program test page under a Node {@code wx}
 * double, and its {@code curl} and {@code wscat} lines with the real tools. They send {@code "userId": 1}, put the
 * token in {@code start}, use the global wx socket API: whatever the contract grows, these must keep working.
 * Shares the client tests' product (SharedCluster).
 */
@ExtendWith(SharedCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyClientsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path LEGACY = RequiredTools.repoRoot().resolve("clients/legacy");
    private static final Path OUT = Path.of("target", "legacy-clients");
    private static final String WAV = "weather.wav"; // "the weather is nice today"

    private String host;

    @BeforeAll
    void product(SharedCluster.Ref product) throws Exception {
        host = "localhost:" + product.get().ingestPort(0);
        Files.createDirectories(OUT);
    }

    @Test
    void theBrowserConsoleSnippetGetsStartedAndATranscript() throws Exception {
        String snippet = Files.readString(LEGACY.resolve("browser-console.js")).replace("wss://HOST", "ws://" + host);
        try (WebDriver browser = WebDriver.headlessChromium(List.of(), OUT.resolve("chromedriver.log"))) {
            browser.open("http://" + host + "/"); // any page of the site: the developer's console is on it
            // the console, as the developer reads it: every console.log / console.error the snippet makes, kept
            browser.script(
                    "window.consoleLines = [];"
                            + "const keep = (kind) => (...args) => window.consoleLines.push(kind + ' ' + args.map((a) => typeof a === 'string' ? a"
                            + " : (a && a.type) || String(a)).join(' '));"
                            + "console.log = keep('log'); console.error = keep('error');"
                            + "const TOKEN = arguments[0];\n" + snippet + "\nwindow.oldSnippetSocket = ws;",
                    devToken("legacy-browser"));
            List<String> lines = awaitLines(browser, "started", Duration.ofSeconds(20));
            // then the audio, as a page would stream its microphone: 100 ms chunks of 16 kHz PCM at twice real time,
            // then end
            byte[] pcm = SpeechFixtures.pcm(WAV);
            browser.script(
                    "const pcm = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0)); let at = 0;"
                            + "const timer = setInterval(() => { const ws = window.oldSnippetSocket;"
                            + " if (at >= pcm.length) { clearInterval(timer); ws.send(JSON.stringify({type: 'end'})); return; }"
                            + " ws.send(pcm.slice(at, at + 3200).buffer); at += 3200; }, 50);",
                    Base64.getEncoder().encodeToString(pcm));
            lines = awaitLines(browser, "\"completed\"", Duration.ofSeconds(60));
            Files.write(OUT.resolve("browser-console.log"), lines);
            assertThat(lines)
                    .as("the console")
                    .noneMatch(l -> l.startsWith("error") || l.contains("\"type\":\"error\""));
            assertThat(lines.get(0))
                    .as("the first message")
                    .startsWith("log message ")
                    .contains("\"type\":\"started\"");
            JsonNode completed = JSON.readTree(lines.stream()
                    .filter(l -> l.contains("\"completed\""))
                    .findFirst()
                    .orElseThrow()
                    .substring("log message ".length()));
            assertThat(completed.path("text").asString()).contains("weather").contains("today");
        }
    }

    private static List<String> awaitLines(WebDriver browser, String wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = new ArrayList<>();
            browser.script("return window.consoleLines").forEach(n -> lines.add(n.asString()));
            if (lines.stream().anyMatch(l -> l.contains(wanted)) || System.nanoTime() > deadline) {
                assertThat(lines).as("the console lines, waiting for " + wanted).anyMatch(l -> l.contains(wanted));
                return lines;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theMiniprogramTestPageUnderTheWxDoubleGetsTheTranscript() throws Exception {
        Path node = RequiredTools.require(
                "node", "apt-get install -y nodejs npm (node 18 or later)", "/usr/bin/node", "/usr/local/bin/node");
        npmCi();
        ProcessBuilder pb =
                new ProcessBuilder(node.toString(), "harness/run-miniprogram-page.js").directory(LEGACY.toFile());
        pb.environment().put("RV_BASE_URL", "http://" + host);
        pb.environment().put("RV_TOKEN", devToken("legacy-miniprogram"));
        pb.environment().put("RV_WAV", SpeechFixtures.wav(WAV).toAbsolutePath().toString());
        pb.redirectError(OUT.resolve("miniprogram-page.stderr").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        Files.writeString(OUT.resolve("miniprogram-page.json"), out);
        assertThat(p.exitValue()).as(out).isZero();
        JsonNode result = JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
        assertThat(result.path("errors").isEmpty())
                .as("the page's console.error and the harness: " + result.path("errors"))
                .isTrue();
        List<String> types = new ArrayList<>();
        result.path("messages").forEach(m -> types.add(m.path("type").asString()));
        assertThat(types)
                .as(out)
                .startsWith("started")
                .contains("final")
                .endsWith("completed")
                .doesNotContain("error");
        String text = result.path("messages").get(types.size() - 1).path("text").asString();
        assertThat(text).contains("weather").contains("nice").contains("today");
    }

    @Test
    void theCurlAndWscatLinesOfTheGuideWork() throws Exception {
        RequiredTools.require("curl", "apt-get install -y curl", "/usr/bin/curl");
        Path sh = RequiredTools.require("sh", "a POSIX shell", "/bin/sh");
        RequiredTools.require(
                "node", "apt-get install -y nodejs npm (node 18 or later)", "/usr/bin/node", "/usr/local/bin/node");
        npmCi();
        String token = devToken("legacy-cli");
        List<String> lines = Files.readAllLines(LEGACY.resolve("command-line.sh")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.replace("HOST", host).replace("TOKEN", token))
                .toList();
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String command = lines.get(i);
            if (command.startsWith("> ")) {
                continue; // typed into the wscat above
            }
            List<String> typed = new ArrayList<>();
            for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("> "); j++) {
                typed.add(lines.get(j).substring(2));
            }
            ProcessBuilder pb = new ProcessBuilder(sh.toString(), "-c", command)
                    .directory(RequiredTools.repoRoot().toFile())
                    .redirectErrorStream(true);
            pb.environment()
                    .put(
                            "PATH",
                            LEGACY.resolve("node_modules/.bin") + java.io.File.pathSeparator + System.getenv("PATH"));
            Process p = pb.start();
            String out;
            if (typed.isEmpty()) {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertThat(p.exitValue()).as(command + "\n" + out).isZero();
            } else {
                out = interactive(p, typed, "{\"type\":\"pong\"}");
            }
            outputs.add("$ " + command + "\n" + out);
        }
        Files.write(OUT.resolve("command-line.txt"), outputs);
        assertThat(outputs).hasSize(3);
        assertThat(outputs.get(0)).as("curl /health").contains("\"status\":\"UP\"");
        JsonNode recognized =
                JSON.readTree(outputs.get(1).substring(outputs.get(1).indexOf('{')));
        assertThat(recognized.path("success").asBoolean()).as(outputs.get(1)).isTrue();
        assertThat(recognized.path("text").asString()).contains("weather").contains("today");
        assertThat(outputs.get(2)).as("wscat").contains("{\"type\":\"pong\"}");
    }

    /** Types the lines into a running program (wscat) and reads its output until {@code expected} shows, then ends it. */
    private static String interactive(Process p, List<String> typed, String expected) throws Exception {
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] buffer = new byte[4096];
                for (int n; (n = p.getInputStream().read(buffer)) > 0; ) {
                    synchronized (out) {
                        out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // wscat drops what is typed before its socket is open, and with a piped stdin (no TTY) it prints no
            // "Connected" to wait for: give it a few seconds, well inside the server's 10 s wait for a token
            // (the guide's wscat line has none; ping is served without one)
            long typeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (!snapshot(out).contains("Connected") && System.nanoTime() < typeAt && p.isAlive()) {
                Thread.sleep(50);
            }
            try {
                OutputStream in = p.getOutputStream();
                for (String line : typed) {
                    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                in.flush();
            } catch (java.io.IOException e) {
                return snapshot(out) + "\n(stdin closed: " + e.getMessage() + ", alive " + p.isAlive() + ")";
            }
            while (!snapshot(out).contains(expected) && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
        return snapshot(out);
    }

    private static String snapshot(StringBuilder out) {
        synchronized (out) {
            return out.toString();
        }
    }

    /** {@code npm ci} in clients/legacy when its packages (ws, wscat) are missing; .ci/run does it up front. */
    private static void npmCi() throws Exception {
        if (Files.isDirectory(LEGACY.resolve("node_modules/wscat"))
                && Files.isDirectory(LEGACY.resolve("node_modules/ws"))) {
            return;
        }
        Path npm = RequiredTools.require("npm", "apt-get install -y npm", "/usr/bin/npm", "/usr/local/bin/npm");
        Process install = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
                .directory(LEGACY.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(5, TimeUnit.MINUTES) && install.exitValue() == 0)
                .as("npm ci in " + LEGACY + ":\n" + out)
                .isTrue();
    }

    private String devToken(String user) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + host + "/api/auth/dev-token"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asString();
    }
}
