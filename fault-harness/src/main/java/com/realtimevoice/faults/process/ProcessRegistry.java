package com.realtimevoice.faults.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every child process the harness starts, so that all of them are killed however the harness ends: normally
 * ({@link #stopAll()} in a finally block), by an exception, by Ctrl-C (a shutdown hook). Their pids are also
 * written to a file; a harness killed with SIGKILL leaves them behind, and the next run kills exactly those
 * (checked by pid and by the run directory in their command line), nothing else.
 */
public final class ProcessRegistry {

    private static final Logger log = LoggerFactory.getLogger(ProcessRegistry.class);
    private static final List<ChildProcess> CHILDREN = new ArrayList<>();
    private static Path pidFile;
    private static String marker;
    private static boolean hooked;

    private ProcessRegistry() {}

    /** @param runRoot the directory every child's command line mentions (data dirs, logs) */
    public static synchronized void init(Path runRoot) throws IOException {
        Files.createDirectories(runRoot);
        pidFile = runRoot.resolve("children.pids");
        marker = runRoot.toAbsolutePath().toString();
        reapLeftovers();
        Files.writeString(pidFile, "", StandardCharsets.UTF_8);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::stopAll, "fault-harness-cleanup"));
        }
    }

    static synchronized void register(ChildProcess child) {
        if (!CHILDREN.contains(child)) {
            CHILDREN.add(child);
        }
        if (pidFile != null) {
            try {
                Files.writeString(
                        pidFile,
                        child.pid() + "\t" + child.name() + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("cannot record pid of {}: {}", child.name(), e.getMessage());
            }
        }
    }

    /** Kills every child still running, frozen ones included. Safe to call more than once. */
    public static void stopAll() {
        List<ChildProcess> children;
        synchronized (ProcessRegistry.class) {
            children = new ArrayList<>(CHILDREN);
        }
        for (ChildProcess child : children) {
            try {
                if (child.alive()) {
                    log.info("stopping {}", child);
                    child.forceStop();
                }
            } catch (RuntimeException e) {
                log.warn("could not stop {}: {}", child.name(), e.getMessage());
            }
        }
    }

    /** Children of an earlier run that was itself killed: only pids from our file whose command line names our run dir. */
    private static void reapLeftovers() throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        for (String line : Files.readAllLines(pidFile, StandardCharsets.UTF_8)) {
            String[] cols = line.split("\t");
            long pid;
            try {
                pid = Long.parseLong(cols[0].trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                continue;
            }
            Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
            String command =
                    Files.exists(cmdline) ? new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8) : "";
            if (command.contains(marker)) {
                log.warn("killing pid {} ({}) left over by an earlier run", pid, cols.length > 1 ? cols[1] : "?");
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(pid))
                            .start()
                            .waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handle.get().destroyForcibly();
                try {
                    handle.get()
                            .onExit()
                            .get(10, java.util.concurrent.TimeUnit.SECONDS); // before its data dir is deleted
                } catch (Exception e) {
                    log.warn("pid {} did not exit: {}", pid, e.toString());
                }
            }
        }
    }
}
