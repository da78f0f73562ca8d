package com.realtimevoice.tools.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.clients.ExpiredCertificate;
import com.realtimevoice.local.clients.Nginx;
import com.realtimevoice.local.clients.RequiredTools;
import com.realtimevoice.local.clients.SharedCluster;
import com.realtimevoice.tools.Endpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The doctor against the real product and the deployments that break it, each reproduced locally: nginx without
 * the upgrade headers, nginx with proxy_read_timeout 2s, nginx with an expired self-signed certificate, a wrong
 * path, a stopped service, a rejected token. One product and one nginx (a server block per mistake) for all.
 */
@ExtendWith(SharedCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoctorDeploymentTest {

    private int direct;
    private int noUpgradePort;
    private int shortTimeoutPort;
    private int expiredTlsPort;
    private int goodProxyPort;
    private Nginx nginx;

    @BeforeAll
    void setUp(SharedCluster.Ref product) throws Exception {
        Path nginxBin = RequiredTools.require("nginx", "apt-get install -y nginx-light", "/usr/sbin/nginx");
        Path openssl = RequiredTools.require("openssl", "apt-get install -y openssl", "/usr/bin/openssl");
        direct = product.get().ingestPort(0);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "doctor-nginx-");
        ExpiredCertificate.create(openssl, dir.resolve("tls"));
        noUpgradePort = RequiredTools.freePort();
        shortTimeoutPort = RequiredTools.freePort();
        expiredTlsPort = RequiredTools.freePort();
        goodProxyPort = RequiredTools.freePort();
        String upstream = "127.0.0.1:" + direct;
        String[] good = concat(Nginx.UPGRADE, "proxy_read_timeout 3600s;", "proxy_send_timeout 3600s;");
        String servers = ""
                + "  server {  # forgets the upgrade headers\n    listen 127.0.0.1:" + noUpgradePort + ";\n"
                + Nginx.proxy(upstream) + "  }\n"
                + "  server {  # passes them, but cuts sockets quiet for 2 s\n    listen 127.0.0.1:" + shortTimeoutPort
                + ";\n"
                + Nginx.proxy(upstream, concat(Nginx.UPGRADE, "proxy_read_timeout 2s;")) + "  }\n"
                + "  server {  # TLS with an expired self-signed certificate\n    listen 127.0.0.1:" + expiredTlsPort
                + " ssl;\n"
                + "    ssl_certificate " + dir.resolve("tls/cert.pem").toAbsolutePath() + ";\n"
                + "    ssl_certificate_key " + dir.resolve("tls/key.pem").toAbsolutePath() + ";\n"
                + Nginx.proxy(upstream, good) + "  }\n"
                + "  server {  # done right\n    listen 127.0.0.1:" + goodProxyPort + ";\n"
                + Nginx.proxy(upstream, good) + "  }\n";
        nginx = Nginx.start(
                nginxBin, dir, servers, List.of(noUpgradePort, shortTimeoutPort, expiredTlsPort, goodProxyPort));
    }

    @AfterAll
    void tearDown() {
        if (nginx != null) {
            nginx.close();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Runs the doctor, prints its checklist into the test log, and returns it for assertions. */
    private Doctor doctor(String url, Duration idle, String token) throws Exception {
        Doctor.Options o = new Doctor.Options();
        o.timeout = Duration.ofSeconds(5);
        o.idle = idle;
        o.token = token;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Doctor d = new Doctor(Endpoints.parse(url), o, new PrintStream(out, true, StandardCharsets.UTF_8));
        int code = d.run();
        System.out.println(out.toString(StandardCharsets.UTF_8));
        boolean failed = d.results().stream().anyMatch(c -> c.status() == Status.FAIL);
        assertThat(code).as("exit code").isEqualTo(failed ? 1 : 0);
        assertThat(d.results()).extracting(Finding::name).containsExactlyElementsOf(Doctor.ORDER);
        return d;
    }

    private static void assertStatus(Doctor d, String check, Status status) {
        assertThat(d.result(check).status()).as(check + ": " + d.result(check)).isEqualTo(status);
    }

    @Test
    void aHealthyDeploymentPassesEveryCheck() throws Exception {
        Doctor d = doctor("http://localhost:" + direct, Duration.ofSeconds(3), null);
        for (String check : List.of(
                DnsCheck.NAME,
                TcpCheck.NAME,
                HealthCheck.NAME,
                UpgradeCheck.NAME,
                UpgradeCheck.PROXY,
                AuthCheck.NAME,
                RoundTripCheck.NAME,
                IdleCheck.NAME)) {
            assertStatus(d, check, Status.OK);
        }
        assertStatus(d, TlsCheck.NAME, Status.SKIP);
        assertThat(d.result(AuthCheck.NAME).detail()).contains("development token");
        assertThat(d.result(RoundTripCheck.NAME).detail()).contains("time");
    }

    @Test
    void behindAProxyDoneRightEverythingPassesToo() throws Exception {
        Doctor d = doctor("http://localhost:" + goodProxyPort, Duration.ofSeconds(3), null);
        assertThat(d.results())
                .allMatch(c -> c.status() == Status.OK || c.name().equals(TlsCheck.NAME));
        assertThat(d.result(UpgradeCheck.NAME).detail()).contains("nginx");
    }

    @Test
    void aProxyThatDropsTheUpgradeHeadersIsNamedWithTheFix() throws Exception {
        Doctor d = doctor("http://localhost:" + noUpgradePort, Duration.ofSeconds(2), null);
        assertStatus(d, HealthCheck.NAME, Status.OK);
        assertStatus(d, UpgradeCheck.NAME, Status.FAIL);
        assertThat(d.result(UpgradeCheck.NAME).detail()).contains("HTTP 400").contains("Server: nginx");
        assertStatus(d, UpgradeCheck.PROXY, Status.FAIL);
        assertThat(d.result(UpgradeCheck.PROXY).fix())
                .contains("proxy_set_header Upgrade $http_upgrade")
                .contains("proxy_http_version 1.1");
        assertStatus(d, AuthCheck.NAME, Status.SKIP);
    }

    @Test
    void aShortProxyReadTimeoutIsMeasured() throws Exception {
        Doctor d = doctor("http://localhost:" + shortTimeoutPort, Duration.ofSeconds(6), null);
        assertStatus(d, UpgradeCheck.NAME, Status.OK);
        assertStatus(d, IdleCheck.NAME, Status.FAIL);
        assertThat(d.result(IdleCheck.NAME).detail()).containsPattern("cut after [23]\\.\\d s without a close frame");
        assertThat(d.result(IdleCheck.NAME).fix()).contains("proxy_read_timeout");
    }

    @Test
    void anExpiredSelfSignedCertificateIsCalledOutAndTheRestStillChecked() throws Exception {
        Doctor d = doctor("https://localhost:" + expiredTlsPort, Duration.ofSeconds(2), null);
        assertStatus(d, TlsCheck.NAME, Status.FAIL);
        assertThat(d.result(TlsCheck.NAME).detail())
                .contains("expired on 2021-01-01")
                .contains("self-signed");
        assertThat(d.result(TlsCheck.NAME).fix()).contains("renew");
        assertStatus(d, HealthCheck.NAME, Status.OK);
        assertStatus(d, UpgradeCheck.NAME, Status.OK);
        assertStatus(d, RoundTripCheck.NAME, Status.OK);
    }

    @Test
    void plainHttpOnTheTlsPortIsExplained() throws Exception {
        Doctor d = doctor("http://localhost:" + expiredTlsPort, Duration.ZERO, null);
        assertStatus(d, HealthCheck.NAME, Status.FAIL);
        assertThat(d.result(HealthCheck.NAME).fix()).contains("https://");
    }

    @Test
    void aWrongPathGetsTheServersHint() throws Exception {
        Doctor d = doctor("ws://localhost:" + direct + "/api/realtime-voice/streem", Duration.ZERO, null);
        assertStatus(d, HealthCheck.NAME, Status.OK);
        assertStatus(d, UpgradeCheck.NAME, Status.FAIL);
        assertThat(d.result(UpgradeCheck.NAME).detail())
                .contains("404")
                .contains("did you mean /api/realtime-voice/stream");
        assertThat(d.result(UpgradeCheck.NAME).fix())
                .contains("ws://localhost:" + direct + "/api/realtime-voice/stream");
    }

    @Test
    void aStoppedServiceIsAClosedPort() throws Exception {
        int closed = RequiredTools.freePort();
        Doctor d = doctor("http://localhost:" + closed, Duration.ZERO, null);
        assertStatus(d, TcpCheck.NAME, Status.FAIL);
        assertThat(d.result(TcpCheck.NAME).detail()).contains("connection refused");
        assertThat(d.results().subList(2, Doctor.ORDER.size())).allMatch(c -> c.status() == Status.SKIP);
    }

    @Test
    void aRejectedTokenSaysWhy() throws Exception {
        // a well-formed JWT, signed with another key, expired in 2020
        String forged =
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5IiwiaXNzIjoicmVhbHRpbWUtdm9pY2UiLCJleHAiOjE1Nzc4MzY4MDB9."
                        + "c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LXNpZ25hdHVyZQ";
        Doctor d = doctor("http://localhost:" + direct, Duration.ofSeconds(1), forged);
        assertStatus(d, AuthCheck.NAME, Status.FAIL);
        assertThat(d.result(AuthCheck.NAME).detail())
                .contains("UNAUTHORIZED")
                .contains("sub=mallory")
                .contains("EXPIRED");
        assertThat(d.result(AuthCheck.NAME).fix()).contains("expired");
        assertStatus(d, RoundTripCheck.NAME, Status.SKIP);
        assertStatus(d, IdleCheck.NAME, Status.OK); // held without the rejected token
    }
}
