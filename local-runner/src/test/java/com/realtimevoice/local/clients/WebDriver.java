package com.realtimevoice.local.clients;

import com.realtimevoice.local.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Just enough W3C WebDriver (JSON over HTTP to chromedriver, no Selenium) to drive headless Chromium: open a page,
 * click, run a script, take a screenshot.
 */
final class WebDriver implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private String session;

    private WebDriver(Process driver, int port) {
        this.driver = driver;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Headless Chromium (as installed by {@code apt-get install -y chromium chromium-driver}; the test is skipped, or
     * fails under CI, without it) with nothing running in the background, and these further flags.
     */
    static WebDriver headlessChromium(List<String> moreArgs, Path log) throws Exception {
        Path chromium = RequiredTools.require(
                "chromium",
                "apt-get install -y chromium chromium-driver",
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser");
        Path chromedriver = RequiredTools.require(
                "chromedriver", "apt-get install -y chromium chromium-driver", "/usr/bin/chromedriver");
        List<String> args = new ArrayList<>(List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync"));
        args.addAll(moreArgs);
        return start(chromedriver, chromium, args, log);
    }

    static WebDriver start(Path chromedriver, Path chromium, List<String> chromeArgs, Path log) throws Exception {
        int port = RequiredTools.freePort();
        Process p = new ProcessBuilder(chromedriver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        WebDriver wd = new WebDriver(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (wd.call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !p.isAlive()) {
                wd.close();
                throw new IllegalStateException("chromedriver did not become ready; see " + log);
            }
            Thread.sleep(100);
        }
        JsonNode created = wd.call(
                "POST",
                "/session",
                Map.of(
                        "capabilities",
                        Map.of(
                                "alwaysMatch",
                                Map.of(
                                        "browserName",
                                        "chrome",
                                        "goog:chromeOptions",
                                        Map.of("binary", chromium.toString(), "args", chromeArgs)))));
        wd.session = created.path("value").path("sessionId").asString();
        if (wd.session.isEmpty()) {
            wd.close();
            throw new IllegalStateException("chromedriver refused the session: " + created);
        }
        return wd;
    }

    void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", Map.of("url", url));
    }

    void click(String css) throws Exception {
        JsonNode el = call("POST", "/session/" + session + "/element", Map.of("using", "css selector", "value", css));
        String id = el.path("value").path(ELEMENT).asString();
        call("POST", "/session/" + session + "/element/" + id + "/click", Map.of());
    }

    JsonNode script(String js, Object... args) throws Exception {
        return call("POST", "/session/" + session + "/execute/sync", Map.of("script", js, "args", List.of(args)))
                .path("value");
    }

    void screenshot(Path file) throws Exception {
        String png = call("GET", "/session/" + session + "/screenshot", null)
                .path("value")
                .asString();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        r.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = JSON.readTree(response.body());
        if (response.statusCode() >= 400) {
            throw new IOException("WebDriver " + method + " " + path + " -> " + response.statusCode() + " "
                    + node.path("value").path("message").asString());
        }
        return node;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (Exception e) {
            // the browser goes with the driver anyway
        } finally {
            Processes.stop(driver, Duration.ofSeconds(10));
        }
    }
}
