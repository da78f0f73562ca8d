package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.ErrorBodySweep;
import com.realtimevoice.testsupport.ErrorBodySweep.Answer;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped nginx template (rendered as the nginx image renders it, with compose's settings) in front of two
 * stand-in ingest nodes that answer 200 to anything, so that whatever nginx lets through shows: only the public
 * paths reach a node, /actuator in every spelling is the contract's 404 from nginx itself; and the upstream name is
 * asked of DNS again (a small DNS server of the test's own), so a node that moves to a new address is followed.
 */
class EdgeNginxTest {

    private static final String NAME = "ingest.rv-test";

    private TinyDns dns;
    private final List<Node> nodes = new ArrayList<>();
    private ShippedNginx nginx;

    /** A stand-in ingest node on one loopback address: 200 "node-x METHOD URI" to every request, each one recorded. */
    private record Node(String name, HttpServer server, ConcurrentLinkedQueue<String> seen) {
        static Node start(String name, String address, int port) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            server.createContext("/", exchange -> {
                String line = exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null
                                ? ""
                                : "?" + exchange.getRequestURI().getRawQuery());
                seen.add(line);
                exchange.getRequestBody().readAllBytes();
                byte[] body = (name + " " + line).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return new Node(name, server, seen);
        }
    }

    @BeforeEach
    void start() throws Exception {
        dns = new TinyDns();
        dns.set(NAME, "127.0.0.1");
        // two nodes on the same port of two loopback addresses, as two containers on one network
        for (int attempt = 0; nodes.isEmpty(); attempt++) {
            Node a = Node.start("node-a", "127.0.0.1", 0);
            try {
                nodes.add(a);
                nodes.add(Node.start(
                        "node-b", "127.0.0.2", a.server().getAddress().getPort()));
            } catch (BindException taken) {
                nodes.clear();
                a.server().stop(0);
                assertThat(attempt).as("a port free on 127.0.0.1 and 127.0.0.2").isLessThan(5);
            }
        }
        nginx = ShippedNginx.start(
                NAME + ":" + nodes.get(0).server().getAddress().getPort(), dns.address());
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        nodes.forEach(n -> n.server().stop(0));
        if (dns != null) {
            dns.close();
        }
    }

    private Answer request(String method, String target) throws IOException {
        String request = method + " " + target
                + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        return ErrorBodySweep.send(nginx.ssl.getSocketFactory(), "localhost", nginx.https, request);
    }

    @Test
    void onlyThePublicPathsReachANodeAndActuatorIsA404InEverySpelling() throws Exception {
        List<String> notPublic = List.of(
                "/actuator",
                "/actuator/",
                "/actuator/prometheus",
                "/actuator/health/readiness",
                "/actuator;x/prometheus",
                "/actuator;/prometheus",
                "/%61ctuator/health",
                "/%61ctuator/prometheus",
                "/%41CTUATOR/prometheus",
                "//actuator/prometheus",
                "///actuator",
                "/./actuator/prometheus",
                "/api/../actuator/prometheus",
                "/api/..;/actuator/prometheus",
                "/api/%2e%2e/actuator/prometheus",
                "/api/%2E%2E/actuator",
                "/api/x%2F..%2F..%2Factuator/prometheus",
                "/api/realtime-voice/stream/../../../actuator/prometheus",
                "/health/../actuator/prometheus",
                "/health;/../actuator",
                "/api\\..\\actuator/prometheus",
                "/ACTUATOR/prometheus",
                "/metrics",
                "/prometheus",
                "/error",
                "/admin",
                "/index.html/../actuator",
                "/demo.js;/../actuator/prometheus");
        List<String> problems = new ArrayList<>();
        for (String path : notPublic) {
            Answer a = request("GET", path);
            String problem = a.status() != 404 ? "status " + a.status() : ErrorBodySweep.contractProblem(a);
            if (problem != null) {
                problems.add(path + ": " + problem + " " + a.body());
            }
        }
        assertThat(problems).as("not public through nginx").isEmpty();
        assertThat(seen())
                .as("requests that reached a node")
                .noneMatch(p -> decoded(p).contains("actuator")
                        || p.contains("metrics")
                        || p.contains("error")
                        || p.contains("admin"));

        List<String[]> publicPaths = List.of(
                new String[] {"GET", "/health"},
                new String[] {"GET", "/"},
                new String[] {"GET", "/index.html"},
                new String[] {"GET", "/demo.js"},
                new String[] {"GET", "/pcm-worklet.js"},
                new String[] {"GET", "/api/sessions/0f8c1b7e-1c1e-4a53-9d1c-2f0d7b1a9e01"},
                new String[] {"POST", "/api/realtime-voice/recognize?token=abc"},
                new String[] {"POST", "/api/auth/wechat/login"},
                new String[] {"GET", "/api/realtime-voice/streem"});
        for (String[] p : publicPaths) {
            Answer a = request(p[0], p[1]);
            assertThat(a.status()).as(p[0] + " " + p[1] + ": " + a.body()).isEqualTo(200);
            assertThat(a.body()).as("reaches a node unchanged").endsWith(" " + p[0] + " " + p[1]);
        }
    }

    @Test
    void aNodeThatMovesToANewAddressIsFollowedWithoutARestart() throws Exception {
        assertThat(request("GET", "/health").body()).startsWith("node-a");
        dns.set(NAME, "127.0.0.2"); // the node was recreated with a new address
        Duration valid = Duration.ofSeconds(
                DeploymentFilesTest.seconds(ShippedNginx.composeSettings().get("NGINX_RESOLVER_VALID")));
        long t0 = System.nanoTime();
        String body = "";
        while (System.nanoTime() - t0 < valid.plusSeconds(10).toNanos() && !body.startsWith("node-b")) {
            Thread.sleep(200);
            Answer a = request("GET", "/health");
            assertThat(a.status())
                    .as("no request fails while the name moves: " + a.body())
                    .isEqualTo(200);
            body = a.body();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(body)
                .as("followed the new address within %s (NGINX_RESOLVER_VALID %s)", took, valid)
                .startsWith("node-b");
        assertThat(took).isLessThanOrEqualTo(valid.plusSeconds(5));
        nodes.get(0).server().stop(0); // the old container is gone
        assertThat(request("GET", "/health").body()).startsWith("node-b");
    }

    @Test
    void requestsSpreadOverEveryAddressOfTheNameAndSkipANodeThatIsDown() throws Exception {
        dns.set(NAME, "127.0.0.1", "127.0.0.2");
        Thread.sleep(Duration.ofSeconds(DeploymentFilesTest.seconds(
                        ShippedNginx.composeSettings().get("NGINX_RESOLVER_VALID")))
                .plusMillis(500)
                .toMillis());
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 40 && answeredBy.size() < 2; i++) {
            answeredBy.add(request("GET", "/health").body().split(" ")[0]);
        }
        assertThat(answeredBy).as("both nodes behind the one name").containsExactlyInAnyOrder("node-a", "node-b");
        nodes.get(0).server().stop(0); // node-a dies; its address is still in DNS for a while
        for (int i = 0; i < 10; i++) {
            Answer a = request("GET", "/health");
            assertThat(a.status()).as("the dead node is skipped: " + a.body()).isEqualTo(200);
            assertThat(a.body()).startsWith("node-b");
        }
        nodes.get(1).server().stop(0); // no node at all: the contract's JSON, not nginx's HTML
        Answer none = request("GET", "/health");
        assertThat(none.status()).isEqualTo(503);
        assertThat(ErrorBodySweep.contractProblem(none)).as(none.body()).isNull();
    }

    private List<String> seen() {
        List<String> all = new ArrayList<>();
        nodes.forEach(n -> all.addAll(n.seen()));
        return all;
    }

    private static String decoded(String path) {
        try {
            return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return path.toLowerCase(Locale.ROOT);
        }
    }
}
