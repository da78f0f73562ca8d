package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A child JVM whose output goes to a log file; closing it kills it (and waits). */
final class ChildJvm implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final Process process;
    final Path log;
    String url;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts the command; with {@code readyLine}, waits until a line of its output starts with it. */
    static ChildJvm start(
            String name, Path logs, List<String> command, Map<String, String> env, String readyLine, Duration wait)
            throws Exception {
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        ChildJvm child = new ChildJvm(name, process, log);
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                            PrintStream file = new PrintStream(Files.newOutputStream(log), true)) {
                        for (String line; (line = r.readLine()) != null; ) {
                            file.println(line);
                            if (readyLine != null && line.startsWith(readyLine)) {
                                ready.countDown();
                            }
                        }
                    } catch (IOException ignored) {
                        // the child is gone
                    }
                },
                "capacity-" + name);
        pump.setDaemon(true);
        pump.start();
        if (readyLine != null && !ready.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            child.close();
            throw new IllegalStateException(name + " printed no '" + readyLine + "' in " + wait + "; see " + log);
        }
        return child;
    }

    /** The embedded default's jar ({@code --jar}, or the build's), or null after saying on {@code err} it is missing. */
    static Path embeddedDefaultJar(Args a, PrintStream err) {
        Path jar = Path.of(a.get("jar", "local-runner/target/realtime-voice-local.jar"));
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        err.println(jar + " not found: build it first (./mvnw -B -q install -DskipTests) or give --jar");
        return null;
    }

    /** The embedded default's port variables, each on a free port (its defaults may be taken by a running product). */
    static Map<String, String> embeddedDefaultPorts() throws IOException {
        int[] ports = freePorts(6);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", String.valueOf(ports[0]));
        env.put("ASR_WORKER_PORT", String.valueOf(ports[1]));
        env.put("RESULT_SERVICE_PORT", String.valueOf(ports[2]));
        env.put("INGEST_MANAGEMENT_PORT", String.valueOf(ports[3]));
        env.put("ASR_WORKER_MANAGEMENT_PORT", String.valueOf(ports[4]));
        env.put("RESULT_SERVICE_MANAGEMENT_PORT", String.valueOf(ports[5]));
        return env;
    }

    ChildJvm withUrl(String url) {
        this.url = url;
        return this;
    }

    void awaitExit(Duration timeout) throws InterruptedException {
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void awaitHealth(String url, Duration timeout, ChildJvm child) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new IllegalStateException(
                        child.name + " exited " + child.process.exitValue() + "; see " + child.log);
            }
            try {
                HttpResponse<Void> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                child.name + " not healthy at " + url + " after " + timeout + "; see " + child.log);
    }

    static List<String> benchCommand(String... args) {
        List<String> command = new ArrayList<>(
                List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return ports;
    }
}
