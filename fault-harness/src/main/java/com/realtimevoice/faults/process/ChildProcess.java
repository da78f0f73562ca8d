package com.realtimevoice.faults.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process of the harness (a service JVM, the broker JVM, the database server) that can be started,
 * killed with SIGKILL, stopped with SIGTERM, frozen with SIGSTOP and thawed with SIGCONT, and started again with
 * the same command. Its output is appended to one log file across restarts, each start marked in it.
 */
public final class ChildProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final Path workDir;
    private volatile Process process;
    private volatile boolean frozen;

    public ChildProcess(String name, List<String> command, Map<String, String> environment, Path log, Path workDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.workDir = workDir;
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** The command line it runs with (ShippedSettingsTest reads it). */
    public List<String> command() {
        return command;
    }

    /** The environment variables the harness gives it, on top of the scrubbed inherited ones. */
    public Map<String, String> environment() {
        return environment;
    }

    public synchronized ChildProcess start() {
        if (alive()) {
            throw new IllegalStateException(name + " is already running (pid " + pid() + ")");
        }
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(
                    log,
                    "\n===== " + Instant.now() + " starting " + name + ": " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            // Only the settings the harness passes: a variable of the product's set in the shell that runs the harness
            // must not change what runs (the services read the shipped defaults unless told otherwise).
            builder.environment()
                    .keySet()
                    .removeIf(k -> k.matches("(KAFKA|ASR|INGEST|RESULT|DB|AUTH|SPRING|TENCENT|WECHAT)_.*"));
            builder.environment().putAll(environment);
            process = builder.start();
            frozen = false;
            ProcessRegistry.register(this);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** kill -9: no shutdown hook, no graceful close, nothing flushed. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        note("SIGKILL");
        p.destroyForcibly();
        waitExit(p, Duration.ofSeconds(30));
        frozen = false;
    }

    /** SIGTERM, then waits for a graceful exit (SIGKILL after {@code grace}). Returns how long the exit took. */
    public Duration terminate(Duration grace) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return Duration.ZERO;
        }
        if (frozen) {
            thaw();
        }
        long t0 = System.nanoTime();
        note("SIGTERM");
        p.destroy();
        if (!waitExit(p, grace)) {
            note("did not exit within " + grace + " of SIGTERM: SIGKILL");
            p.destroyForcibly();
            waitExit(p, Duration.ofSeconds(30));
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** SIGSTOP: the process keeps its sockets but runs nothing, as in a long GC pause or a frozen VM. */
    public void freeze() {
        note("SIGSTOP");
        signal("STOP");
        frozen = true;
    }

    public void thaw() {
        note("SIGCONT");
        signal("CONT");
        frozen = false;
    }

    public boolean frozen() {
        return frozen;
    }

    /** Waits for the process to exit by itself (a one-shot command); returns its exit code. */
    public int awaitExit(Duration timeout) {
        Process p = process;
        if (!waitExit(p, timeout)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + timeout + "; see " + log);
        }
        return p.exitValue();
    }

    private void signal(String signal) {
        long pid = pid();
        if (pid <= 0 || !alive()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean waitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** A line in the process's own log, so its output shows where the harness intervened. */
    void note(String what) {
        try {
            Files.writeString(
                    log,
                    "\n===== " + Instant.now() + " harness: " + what + " (pid " + pid() + ")\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is for diagnosis only
        }
    }

    /** Cleanup path: thaw (a stopped process cannot die gracefully) and kill, whatever state it is in. */
    void forceStop() {
        Process p = process;
        if (p != null && p.isAlive()) {
            if (frozen) {
                try {
                    signal("CONT");
                } catch (RuntimeException ignored) {
                    // SIGKILL below works on a stopped process too
                }
            }
            p.destroyForcibly();
            waitExit(p, Duration.ofSeconds(10));
        }
    }

    @Override
    public String toString() {
        return name + (alive() ? " (pid " + pid() + (frozen ? ", stopped" : "") + ")" : " (not running)");
    }
}
