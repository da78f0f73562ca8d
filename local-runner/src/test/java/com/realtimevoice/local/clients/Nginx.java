package com.realtimevoice.local.clients;

import com.realtimevoice.local.Processes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An nginx of the test's own (Debian's nginx or nginx-light), in the foreground, single process, every file under
 * one directory: it reproduces the reverse-proxy mistakes the doctor must find.
 */
public final class Nginx implements AutoCloseable {

    private final Process process;
    private final Path dir;

    private Nginx(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** A location that proxies everything to {@code upstream}; {@code extra} adds directives (upgrade headers, timeouts). */
    public static String proxy(String upstream, String... extra) {
        StringBuilder s = new StringBuilder("    location / {\n      proxy_pass http://" + upstream + ";\n");
        for (String e : extra) {
            s.append("      ").append(e).append('\n');
        }
        return s.append("    }\n").toString();
    }

    public static final String[] UPGRADE = {
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;"
    };

    /** Starts nginx with the given server blocks and waits until every port in {@code ports} accepts connections. */
    public static Nginx start(Path nginx, Path dir, String servers, List<Integer> ports) throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 256; }
                http {
                  access_log %1$s/access.log;
                  client_body_temp_path %1$s/tmp/body;
                  proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi;
                  uwsgi_temp_path %1$s/tmp/uwsgi;
                  scgi_temp_path %1$s/tmp/scgi;
                  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                %2$s
                }
                """.formatted(dir.toAbsolutePath(), servers);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(
                        nginx.toString(),
                        "-p",
                        dir.toAbsolutePath().toString(),
                        "-c",
                        file.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        Nginx n = new Nginx(p, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int port : ports) {
            while (!listening(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    n.close();
                    throw new IllegalStateException(
                            "nginx did not start: " + Files.readString(dir.resolve("stdout.log"))
                                    + (Files.exists(dir.resolve("error.log"))
                                            ? Files.readString(dir.resolve("error.log"))
                                            : ""));
                }
                Thread.sleep(50);
            }
        }
        return n;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
