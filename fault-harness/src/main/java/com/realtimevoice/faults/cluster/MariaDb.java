package com.realtimevoice.faults.cluster;

import com.realtimevoice.faults.process.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The harness's own MariaDB server (never the shared one on 3306): a fresh data directory made by
 * {@code mariadb-install-db}, {@code mariadbd} as a child process on a free port, root without a password.
 * It can be frozen (SIGSTOP), killed and restarted on the same data.
 */
public final class MariaDb {

    public static final String DATABASE = "realtime_voice";

    private final Path dir;
    private final int port;
    private final ChildProcess process;

    MariaDb(Path dir) {
        this.dir = dir;
        this.port = Ports.free();
        this.process = new ChildProcess(
                "mariadb",
                List.of(
                        binary("mariadbd", "/usr/sbin/mariadbd"),
                        "--no-defaults",
                        "--datadir=" + dir.resolve("data"),
                        "--port=" + port,
                        "--socket=" + dir.resolve("mariadb.sock"),
                        "--bind-address=127.0.0.1",
                        "--user=root",
                        "--pid-file=" + dir.resolve("mariadb.pid"),
                        "--innodb-buffer-pool-size=64M",
                        "--skip-log-bin",
                        "--max-connections=200",
                        "--skip-name-resolve"),
                Map.of(),
                dir.resolve("mariadb.log"),
                dir);
    }

    public int port() {
        return port;
    }

    public ChildProcess process() {
        return process;
    }

    void create() throws Exception {
        Files.createDirectories(dir);
        ChildProcess install = new ChildProcess(
                "mariadb-install-db",
                List.of(
                        binary("mariadb-install-db", "/usr/bin/mariadb-install-db"),
                        "--no-defaults",
                        "--datadir=" + dir.resolve("data"),
                        "--auth-root-authentication-method=normal",
                        "--user=root",
                        "--skip-test-db"),
                Map.of(),
                dir.resolve("mariadb-install.log"),
                dir);
        int exit = install.start().awaitExit(Duration.ofSeconds(120));
        if (exit != 0) {
            throw new IllegalStateException("mariadb-install-db failed (exit " + exit + "); see " + install.log());
        }
        start();
    }

    public void start() {
        process.start();
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.alive()) {
                throw new IllegalStateException("mariadbd exited; see " + process.log());
            }
            try (Connection c = connect("")) {
                c.createStatement()
                        .execute("CREATE DATABASE IF NOT EXISTS " + DATABASE
                                + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "MariaDB not ready within " + timeout + "; see " + process.log(), e);
                }
                Cluster.sleep(300);
            }
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:" + port + "/" + database
                        + "?connectTimeout=3000&socketTimeout=30000&allowPublicKeyRetrieval=true&useSSL=false",
                "root",
                "");
    }

    private static String binary(String name, String usual) {
        if (Files.isExecutable(Path.of(usual))) {
            return usual;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException(name + " not found: install mariadb-server (apt-get install mariadb-server)");
    }
}
