package com.realtimevoice.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A fresh, throw-away database for one test class: {@code rv_test_<random>} on the real MariaDB/MySQL at
 * 127.0.0.1:3306 (override with DB_HOST, DB_PORT, DB_USER, DB_PASSWORD), dropped when the class is done.
 * If the server is unreachable: with CI=true the test fails (CI must test against the real thing), otherwise
 * it falls back to H2 in MySQL mode and says so in the log.
 *
 * <pre>
 * &#64;RegisterExtension static final TestDatabase DB = new TestDatabase();
 * </pre>
 * In a Spring test that is all: {@link ContextProperties} points the context at the class's database.
 */
public final class TestDatabase implements BeforeAllCallback, ContextProperties {

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);

    private final String host = env("DB_HOST", "127.0.0.1");
    private final String port = env("DB_PORT", "3306");
    private final String user = env("DB_USER", "root");
    private final String password = env("DB_PASSWORD", "");
    private final String name =
            "rv_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private boolean created;
    private boolean mariaDb;

    /** Creates the database lazily, whichever comes first: JUnit's beforeAll or Spring asking for the URL. */
    @Override
    public void beforeAll(ExtensionContext context) {
        ensureCreated();
        // Closed after every afterAll (so after a @DirtiesContext context is closed): drop the database then.
        context.getStore(ExtensionContext.Namespace.create(TestDatabase.class, name))
                .put("drop", (AutoCloseable) this::drop);
    }

    /** Points the service at this database. On MariaDB only DB_* are set, so the production URL is exercised. */
    public void register(DynamicPropertyRegistry registry) {
        springProperties().forEach((key, value) -> registry.add(key, () -> value));
    }

    /** The same settings as properties, for services started by hand (the local runner's cluster). */
    @Override
    public java.util.Map<String, String> springProperties() {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("DB_HOST", host);
        p.put("DB_PORT", port);
        p.put("DB_NAME", name);
        p.put("DB_USER", user);
        p.put("DB_PASSWORD", password);
        if (!ensureCreated()) {
            p.put("spring.datasource.url", h2Url());
            p.put("spring.datasource.username", "sa");
            p.put("spring.datasource.password", "");
        }
        return p;
    }

    /** True when the tests run against the real MariaDB/MySQL server. */
    public synchronized boolean isMariaDb() {
        ensureCreated();
        return mariaDb;
    }

    public String name() {
        return name;
    }

    /** The embedded default's URL shape: H2 in MySQL mode with lower-case identifiers. */
    public String h2Url() {
        return "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
    }

    /** The first column of the first row that {@code sql} selects from this database (MariaDB/MySQL only). */
    public int queryForInt(String sql, Object... params) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/" + name, user, password);
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private synchronized boolean ensureCreated() {
        if (created) {
            return mariaDb;
        }
        created = true;
        try (Connection c = DriverManager.getConnection(serverUrl(), user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            mariaDb = true;
            log.info(
                    "Testing against {} {} at {}:{}, database {}",
                    c.getMetaData().getDatabaseProductName(),
                    c.getMetaData().getDatabaseProductVersion(),
                    host,
                    port,
                    name);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(
                        "CI=true but no MariaDB/MySQL is reachable at " + host + ":" + port + " as '" + user
                                + "' (set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD): " + e.getMessage(),
                        e);
            }
            log.warn(
                    "MariaDB/MySQL not reachable at {}:{} ({}); FALLING BACK TO H2 in MySQL mode for this test class",
                    host,
                    port,
                    e.getMessage());
            mariaDb = false;
        }
        return mariaDb;
    }

    private void drop() throws SQLException {
        if (!mariaDb) {
            return;
        }
        try (Connection c = DriverManager.getConnection(serverUrl(), user, password);
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            log.info("Dropped test database {}", name);
        }
    }

    private String serverUrl() {
        return "jdbc:mysql://" + host + ":" + port + "/?connectTimeout=2000&socketTimeout=10000";
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
