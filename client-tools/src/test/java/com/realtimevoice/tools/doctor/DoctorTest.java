package com.realtimevoice.tools.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.tools.Endpoints;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The doctor's checks that need no product: DNS (with a stub resolver, so no lookup leaves the machine), a closed
 * port, and an HTTP server that never upgrades. nginx, TLS and the real product are in local-runner's DoctorTest.
 */
class DoctorTest {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Doctor doctor(String url, Doctor.Options o) throws Exception {
        o.timeout = Duration.ofSeconds(3);
        o.idle = Duration.ZERO;
        return new Doctor(Endpoints.parse(url), o, new PrintStream(out, true));
    }

    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnresolvableNameFailsDnsAndSkipsTheRest() throws Exception {
        Doctor.Options o = new Doctor.Options();
        o.resolver = host -> {
            throw new UnknownHostException(host + ": Name or service not known");
        };
        Doctor d = doctor("https://voice.example.invalid", o);
        assertThat(d.run()).isEqualTo(1);
        assertThat(d.result(DnsCheck.NAME).status()).isEqualTo(Status.FAIL);
        assertThat(d.result(DnsCheck.NAME).fix()).contains("A/AAAA record");
        assertThat(d.results()).hasSize(Doctor.ORDER.size());
        assertThat(d.results().subList(1, Doctor.ORDER.size())).allMatch(c -> c.status() == Status.SKIP);
        assertThat(output()).contains("[FAIL] DNS").contains("fix: check the spelling");
    }

    @Test
    void aClosedPortFailsTcpWithTheFix() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Doctor d = doctor("http://127.0.0.1:" + port, new Doctor.Options());
        assertThat(d.run()).isEqualTo(1);
        assertThat(d.result(DnsCheck.NAME).status()).isEqualTo(Status.WARN); // an IP address, not a name
        assertThat(d.result(TcpCheck.NAME).status()).isEqualTo(Status.FAIL);
        assertThat(d.result(TcpCheck.NAME).detail()).contains("connection refused");
        assertThat(d.result(TcpCheck.NAME).fix()).contains("start the service");
    }

    @Test
    void anHttpServerThatNeverUpgradesIsCalledOut() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "{\"status\":\"UP\",\"service\":\"ingest-service\"}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/realtime-voice/stream", exchange -> {
            // what Spring answers when Upgrade/Connection never arrive
            byte[] body = "Can \"Upgrade\" only to \"WebSocket\".".getBytes();
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Doctor.Options o = new Doctor.Options();
            o.devTokenUser = null;
            Doctor d = doctor("http://localhost:" + server.getAddress().getPort(), o);
            assertThat(d.run()).isEqualTo(1);
            assertThat(d.result(HealthCheck.NAME).status()).isEqualTo(Status.OK);
            assertThat(d.result(UpgradeCheck.NAME).status()).isEqualTo(Status.FAIL);
            assertThat(d.result(UpgradeCheck.NAME).detail())
                    .contains("HTTP 400")
                    .contains("Can \"Upgrade\" only");
            assertThat(d.result(UpgradeCheck.PROXY).status()).isEqualTo(Status.FAIL);
            assertThat(d.result(UpgradeCheck.PROXY).fix()).contains("proxy_set_header Upgrade $http_upgrade");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void certificateNamesMatchLikeBrowsersDo() {
        assertThat(Certificates.hostnameMatches("voice.example.com", List.of("*.example.com")))
                .isTrue();
        assertThat(Certificates.hostnameMatches("a.b.example.com", List.of("*.example.com")))
                .isFalse();
        assertThat(Certificates.hostnameMatches("localhost", List.of("voice.example.com")))
                .isFalse();
        assertThat(Certificates.hostnameMatches("VOICE.example.com", List.of("voice.example.com")))
                .isTrue();
    }
}
