package com.realtimevoice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A child JVM whose output goes to a log file; closing it kills it (and waits). */
final class ChildJvm implements AutoCloseable {
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
}
