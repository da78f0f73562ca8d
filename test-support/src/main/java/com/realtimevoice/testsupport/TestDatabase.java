package com.realtimevoice.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh database for one test class: on the real MariaDB/MySQL at DB_HOST:DB_PORT (127.0.0.1:3306) when it
 * answers, dropped afterwards; otherwise H2 in MySQL mode. Under CI=true an unreachable MySQL is a failure,
 * never a silent fallback.
 */
public final class TestDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);

    public final String url;
    public final String user;
    public final String password;
    public final boolean mysql;
    private final String serverUrl;
    private final String name;

    private TestDatabase(String url, String user, String password, boolean mysql, String serverUrl, String name) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.mysql = mysql;
        this.serverUrl = serverUrl;
        this.name = name;
    }

    public static TestDatabase create() {
        String host = env("DB_HOST", "127.0.0.1");
        String port = env("DB_PORT", "3306");
        String user = env("DB_USER", "root");
        String password = env("DB_PASSWORD", "");
        String name = "rv_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String server = "jdbc:mysql://" + host + ":" + port + "/?connectTimeout=3000";
        try (Connection c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
            log.info("tests use MySQL-compatible server {}:{}, database {}", host, port, name);
            return new TestDatabase("jdbc:mysql://" + host + ":" + port + "/" + name, user, password, true, server, name);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but MySQL/MariaDB at " + host + ":" + port + " is unreachable: " + e.getMessage(), e);
            }
            log.warn("MySQL/MariaDB at {}:{} unreachable ({}); falling back to H2 in MySQL mode", host, port, e.getMessage());
            return new TestDatabase("jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                    "sa", "", false, null, name);
        }
    }

    @Override
    public void close() {
        if (mysql) {
            try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            } catch (SQLException e) {
                log.warn("could not drop test database {}: {}", name, e.getMessage());
            }
        }
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
