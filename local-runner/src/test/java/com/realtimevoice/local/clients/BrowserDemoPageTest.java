package com.realtimevoice.local.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page served at {@code /}, end to end in headless Chromium: its fake microphone plays a committed speech
 * WAV in a loop, the page's AudioWorklet resamples it to 16 kHz PCM and streams it, and the words must appear.
 * Screenshots go to target/browser-demo/.
 */
@ExtendWith(SharedCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserDemoPageTest {

    static final Path SHOTS = Path.of("target", "browser-demo");
    static final String FAKE_AUDIO = "weather.wav"; // "the weather is nice today", 16 kHz mono: Chromium takes it as is

    private String base;
    private WebDriver browser;

    @BeforeAll
    void startBrowser(SharedCluster.Ref product) throws Exception {
        java.nio.file.Files.createDirectories(SHOTS);
        browser = WebDriver.headlessChromium(
                List.of(
                        "--use-fake-ui-for-media-stream",
                        "--use-fake-device-for-media-stream",
                        "--use-file-for-fake-audio-capture="
                                + SpeechFixtures.wav(FAKE_AUDIO).toAbsolutePath(),
                        "--window-size=1000,720"),
                SHOTS.resolve("chromedriver.log"));
        // the shared product starts on first use: after the browser, so that a missing tool skips before it
        base = "http://localhost:" + product.get().ingestPort(0) + "/";
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void theIngestServiceServesThePageAtTheRoot() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(r.body()).contains("id=\"talk\"").contains("demo.js");
        for (String asset : List.of("demo.js", "pcm-worklet.js")) {
            HttpResponse<String> js = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + asset)).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(js.statusCode()).as(asset).isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void wordsSpokenIntoTheMicrophoneAppearOnThePage() throws Exception {
        browser.open(base);
        await(
                "the page fetched a development token",
                Duration.ofSeconds(15),
                () -> "ready"
                        .equals(browser.script("return window.realtimeVoiceDemo && window.realtimeVoiceDemo.state")
                                .asString()));
        browser.click("#talk");

        // The fake microphone loops the clip: words appear as partials, then as finals.
        await("the spoken words on the page", Duration.ofSeconds(60), () -> {
            String text = transcript();
            return text.contains("weather") && text.contains("today");
        });
        browser.screenshot(SHOTS.resolve("recording.png"));
        browser.click("#share"); // live captions: a watch link for this session
        await(
                "a live-caption link",
                Duration.ofSeconds(15),
                () -> browser.script("return window.realtimeVoiceDemo.shared !== null")
                        .asBoolean());
        String watchPage =
                browser.script("return window.realtimeVoiceDemo.shared.page").asString();
        assertThat(watchPage).startsWith(base + "watch.html?link=ws");
        assertThat(browser.script("return document.getElementById('share-link').hidden")
                        .asBoolean())
                .isFalse();
        assertThat(errorText()).isEmpty();
        assertThat(browser.script("return window.realtimeVoiceDemo.maxLevel").asDouble())
                .as("the worklet's 16 kHz chunks carry sound (RMS)")
                .isGreaterThan(0.01);
        assertThat(browser.script("return window.realtimeVoiceDemo.speechStarts")
                        .asInt())
                .as("speech_started shown (the page asks for speechEvents)")
                .isPositive();
        int finalsBefore =
                browser.script("return window.realtimeVoiceDemo.finals").asInt();
        browser.click("#flush"); // what was said so far becomes a final now; recording goes on
        await(
                "a final after the flush",
                Duration.ofSeconds(10),
                () -> browser.script("return window.realtimeVoiceDemo.finals").asInt() > finalsBefore);
        assertThat(browser.script("return window.realtimeVoiceDemo.state").asString())
                .isEqualTo("recording");

        browser.click("#talk"); // stop: the page sends end and waits for completed
        await(
                "completed",
                Duration.ofSeconds(60),
                () -> "completed"
                        .equals(browser.script("return window.realtimeVoiceDemo.state")
                                .asString()));
        String finals = browser.script(
                        "return Array.from(document.querySelectorAll('#transcript .final')).map(e => e.textContent).join(' ')")
                .asString();
        assertThat(finals)
                .as("finals on the page")
                .contains("weather")
                .contains("nice")
                .contains("today");
        // the page asks for word timings: each final word is its own span, its time in the tooltip
        String words = browser.script(
                        "return Array.from(document.querySelectorAll('#transcript .final .word')).map(e => e.textContent).join(' ')")
                .asString();
        assertThat(words).as("word spans").isEqualTo(finals.strip());
        assertThat(browser.script("return document.querySelector('#transcript .final .word').title")
                        .asString())
                .matches("\\d+\\.\\d\\d-\\d+\\.\\d\\d s, confidence .*");
        assertThat(browser.script("return document.querySelectorAll('#transcript .partial').length")
                        .asInt())
                .as("no partial left once completed")
                .isZero();
        assertThat(browser.script("return document.getElementById('status').textContent")
                        .asString())
                .startsWith("done");
        assertThat(browser.script("return document.getElementById('meta').textContent")
                        .asString())
                .startsWith("session ");

        // "My sessions" lists it once completed, and its SubRip export link fetches the stored transcript.
        String row = "#sessions tr[data-session-id='"
                + browser.script("return window.realtimeVoiceDemo.sessionId").asString() + "']";
        await(
                "the session in My sessions",
                Duration.ofSeconds(15),
                () -> browser.script("return document.querySelector(\"" + row + "\") !== null")
                        .asBoolean());
        assertThat(browser.script("return document.querySelector(\"" + row + " td.preview\").textContent")
                        .asString())
                .contains("weather");
        browser.script("document.querySelector(\"" + row + " a.export-srt\").click()");
        await(
                "the SubRip export",
                Duration.ofSeconds(15),
                () -> browser.script(
                                "var e = window.realtimeVoiceDemo.lastExport; return e !== null && e.format === 'srt'")
                        .asBoolean());
        assertThat(browser.script("return window.realtimeVoiceDemo.lastExport.text")
                        .asString())
                .startsWith("1\n00:00:")
                .contains(" --> ")
                .contains("weather");
        browser.screenshot(SHOTS.resolve("completed.png"));

        // The watch page, opened after the session ended: the whole transcript, then "ended"
        browser.open(watchPage);
        await(
                "the watch page shows the ended session",
                Duration.ofSeconds(20),
                () -> "completed"
                        .equals(browser.script("return window.realtimeVoiceWatch && window.realtimeVoiceWatch.state")
                                .asString()));
        assertThat(browser.script("return window.realtimeVoiceWatch.text").asString())
                .isEqualTo(finals.strip());
        assertThat(browser.script("return document.getElementById('captions').innerText")
                        .asString()
                        .strip())
                .isEqualTo(finals.strip());
        browser.screenshot(SHOTS.resolve("watch-page.png"));
        browser.open(base + "watch.html?link="
                + java.net.URLEncoder.encode(
                        base.replace("http", "ws") + "api/realtime-voice/watch?token=forged.token",
                        java.nio.charset.StandardCharsets.UTF_8));
        await(
                "a forged link is refused on the watch page",
                Duration.ofSeconds(20),
                () -> "error"
                        .equals(browser.script("return window.realtimeVoiceWatch && window.realtimeVoiceWatch.state")
                                .asString()));
    }

    @Test
    @Order(3)
    void aServerErrorIsShownPlainly() throws Exception {
        browser.open(base);
        await(
                "the page is ready",
                Duration.ofSeconds(15),
                () -> "ready"
                        .equals(browser.script("return window.realtimeVoiceDemo && window.realtimeVoiceDemo.state")
                                .asString()));
        browser.script("document.getElementById('token').value = 'not-a-valid-token'");
        browser.click("#talk");
        await("the error box", Duration.ofSeconds(20), () -> errorText().contains("UNAUTHORIZED"));
        assertThat(errorText()).contains("reload the page");
        assertThat(browser.script("return window.realtimeVoiceDemo.state").asString())
                .isEqualTo("error");
        browser.screenshot(SHOTS.resolve("error.png"));
    }

    private String transcript() throws Exception {
        return browser.script("return document.getElementById('transcript').innerText")
                .asString()
                .toLowerCase();
    }

    private String errorText() throws Exception {
        return browser.script(
                        "var e = document.getElementById('error'); return e.classList.contains('shown') ? e.innerText : ''")
                .asString();
    }

    private void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                browser.screenshot(SHOTS.resolve("timeout.png"));
                throw new AssertionError(
                        "no " + what + " within " + timeout + "; transcript: '" + transcript() + "', error: '"
                                + errorText() + "', status: "
                                + browser.script("return document.getElementById('status').textContent")
                                        .asString()
                                + " (screenshot " + SHOTS.resolve("timeout.png") + ")");
            }
            Thread.sleep(250);
        }
    }
}
