package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.clients.RequiredTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * deploy/nginx/templates/default.conf.template rendered as the nginx image renders it (envsubst of its ${VARS})
 * inside the image's own nginx.conf, run by a real nginx in the foreground with every file under one temp dir,
 * behind a certificate made by deploy/nginx/self-signed-cert.sh.
 */
final class ShippedNginx implements AutoCloseable {

    private static final Path ROOT = DeploymentModel.root();

    final Path dir;
    final int https;
    final int http;
    final SSLContext ssl;
    private final Process process;

    private ShippedNginx(Path dir, int https, int http, SSLContext ssl, Process process) {
        this.dir = dir;
        this.https = https;
        this.http = http;
        this.ssl = ssl;
        this.process = process;
    }

    /** The template's settings as docker-compose.yml gives them to the nginx container. */
    static Map<String, String> composeSettings() {
        return DeploymentModel.environment(
                DeploymentModel.map(DeploymentModel.compose(ROOT.resolve("docker-compose.yml")), "services", "nginx"));
    }

    /**
     * Starts nginx with the shipped template; {@code upstream} and {@code resolver} replace compose's INGEST_UPSTREAM
     * and NGINX_RESOLVER (container names and Docker's DNS do not exist here), every other setting is compose's.
     */
    static ShippedNginx start(String upstream, String resolver) throws Exception {
        Path nginx =
                RequiredTools.require("nginx", "apt-get install -y nginx-light; .ci/run does it", "/usr/sbin/nginx");
        RequiredTools.require("openssl", "apt-get install -y openssl", "/usr/bin/openssl");
        Path dir = Files.createTempDirectory("rv-nginx");
        Path tls = dir.resolve("tls");
        run(
                List.of("sh", ROOT.resolve("deploy/nginx/self-signed-cert.sh").toString(), tls.toString()),
                Map.of("TLS_HOSTNAME", "localhost"));
        int https = RequiredTools.freePort();
        int http = RequiredTools.freePort();
        Map<String, String> env = new LinkedHashMap<>(composeSettings());
        env.put("NGINX_HTTPS_PORT", String.valueOf(https));
        env.put("NGINX_HTTP_PORT", String.valueOf(http));
        env.put("NGINX_TLS_DIR", tls.toString());
        env.put("INGEST_UPSTREAM", upstream);
        env.put("NGINX_RESOLVER", resolver);
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(
                dir.resolve("conf.d/default.conf"),
                envsubst(Files.readString(ROOT.resolve("deploy/nginx/templates/default.conf.template")), env));
        // What the nginx image's own nginx.conf does around conf.d, with everything writable under the temp dir.
        Files.writeString(
                dir.resolve("nginx.conf"),
                String.join(
                        "\n",
                        "root".equals(System.getProperty("user.name")) ? "user root;" : "",
                        "worker_processes 1;",
                        "pid " + dir.resolve("nginx.pid") + ";",
                        "error_log " + dir.resolve("error.log") + " info;",
                        "events { worker_connections 256; }",
                        "http {",
                        "  access_log " + dir.resolve("access.log") + ";",
                        "  client_body_temp_path " + dir.resolve("client_body") + ";",
                        "  proxy_temp_path " + dir.resolve("proxy") + ";",
                        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                        "  scgi_temp_path " + dir.resolve("scgi") + ";",
                        "  include " + dir.resolve("conf.d") + "/*.conf;",
                        "}",
                        ""));
        List<String> command = List.of(
                nginx.toString(),
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-g",
                "daemon off;");
        assertThat(run(
                        List.of(
                                command.get(0),
                                "-t",
                                "-p",
                                dir.toString(),
                                "-c",
                                dir.resolve("nginx.conf").toString(),
                                "-e",
                                dir.resolve("error.log").toString()),
                        Map.of()))
                .as("nginx -t")
                .contains("successful");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        ShippedNginx started = new ShippedNginx(dir, https, http, trusting(tls.resolve("tls.crt")), process);
        try {
            started.awaitPort(https, Duration.ofSeconds(15));
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
        return started;
    }

    String base() {
        return "https://localhost:" + https;
    }

    String accessLog() throws IOException {
        return Files.readString(dir.resolve("access.log"));
    }

    /** The nginx image's envsubst step: ${NAME} of the given variables only; nothing of the form may remain. */
    static String envsubst(String template, Map<String, String> env) {
        String out = template;
        for (Map.Entry<String, String> e : env.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue());
        }
        assertThat(out).as("template variables left unset").doesNotContainPattern("\\$\\{[A-Z0-9_]+}");
        return out;
    }

    private static String run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + ": " + output).isZero();
        return output;
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        Certificate cert = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("edge", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private void awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("stdout.log"))
                        + Files.readString(dir.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx not listening on " + port + " after " + timeout);
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
