package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code store}: a focused benchmark of storing finals in MariaDB/MySQL with result-service's schema (its Flyway
 * migration) and upsert, in a database it creates and drops. Two ways: one transaction per final (what
 * result-service does per record today) and batched (many finals per statement and transaction, what a batching
 * listener would do). Every final is written once and a share of them again (a replay), and the row count is
 * checked: each (session, index) is stored exactly once.
 */
final class StoreBench {

    static final String USAGE = """
            store [options]: finals/s stored in MariaDB/MySQL, one per transaction vs batched
              --finals N          finals per mode (default 20000)   --threads T   writers (default 4)
              --batch B           finals per batch (default 500)    --replay F    share written twice (default 0.1)
              --db-host H --db-port P --db-user U --db-password W   (default 127.0.0.1 3306 root "")
            """;

    static final String UPSERT = """
            INSERT INTO transcript_segment (session_id, seg_index, text, start_ms, end_ms, engine, stored_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE text = VALUES(text), start_ms = VALUES(start_ms), end_ms = VALUES(end_ms),
                engine = VALUES(engine), updated_at = VALUES(updated_at)""";

    private StoreBench() {}

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args.ForTool parsed = Args.forTool(argv, USAGE, out, err);
        if (parsed.args() == null) {
            return parsed.exitCode();
        }
        Args a = parsed.args();
        Map<String, Object> r = run(
                a.get("db-host", "127.0.0.1"),
                a.integer("db-port", 3306),
                a.get("db-user", "root"),
                a.get("db-password", ""),
                a.integer("finals", 20000),
                a.integer("threads", 4),
                a.integer("batch", 500),
                a.number("replay", 0.1),
                out);
        out.println(LoadPhase.JSON.writeValueAsString(r));
        return Boolean.TRUE.equals(r.get("eachStoredOnce")) ? 0 : 1;
    }

    static Map<String, Object> run(
            String host,
            int port,
            String user,
            String password,
            int finals,
            int threads,
            int batch,
            double replay,
            PrintStream out)
            throws Exception {
        String db = "rv_storebench_" + Long.toHexString(System.nanoTime() & 0xffffff);
        String server = "jdbc:mysql://" + host + ":" + port + "/";
        String params = "?rewriteBatchedStatements=true&useServerPrepStmts=false&allowMultiQueries=true";
        Map<String, Object> r = new LinkedHashMap<>();
        try (Connection admin = DriverManager.getConnection(server + params, user, password);
                Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + db);
            try {
                String url = server + db + params;
                try (Connection c = DriverManager.getConnection(url, user, password);
                        Statement s = c.createStatement()) {
                    s.execute(migration());
                }
                int sessionsPerMode = Math.max(1, finals / 20); // 20 finals per session
                r.put("finalsPerMode", finals);
                r.put("threads", threads);
                r.put("batch", batch);
                r.put("replayShare", replay);
                Map<String, Object> single =
                        mode(url, user, password, "single", finals, sessionsPerMode, threads, 1, replay);
                out.println("one transaction per final: " + single);
                Map<String, Object> batched =
                        mode(url, user, password, "batched", finals, sessionsPerMode, threads, batch, replay);
                out.println("batched (" + batch + " per transaction): " + batched);
                r.put("single", single);
                r.put("batched", batched);
                r.put(
                        "eachStoredOnce",
                        Boolean.TRUE.equals(single.get("eachStoredOnce"))
                                && Boolean.TRUE.equals(batched.get("eachStoredOnce")));
            } finally {
                st.execute("DROP DATABASE " + db);
            }
        }
        return r;
    }

    private static Map<String, Object> mode(
            String url,
            String user,
            String password,
            String mode,
            int finals,
            int sessions,
            int threads,
            int batch,
            double replay)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO transcript_session (id, user_id, node_id, reply_topic, format, sample_rate, status, started_at, updated_at) VALUES (?, 'bench', 'node', 'topic', 'pcm', 16000, 'STARTED', ?, ?)")) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            for (int s = 0; s < sessions; s++) {
                ps.setString(1, mode + "-" + s);
                ps.setTimestamp(2, now);
                ps.setTimestamp(3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // the work: every final once, then a share again (a replay overwrites)
        List<int[]> writes = new ArrayList<>();
        int perSession = (finals + sessions - 1) / sessions;
        for (int i = 0; i < finals; i++) {
            writes.add(new int[] {i / perSession, i % perSession});
        }
        int replays = (int) (finals * replay);
        for (int i = 0; i < replays; i++) {
            writes.add(writes.get((int) ((long) i * finals / Math.max(1, replays))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        int share = (writes.size() + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
            List<int[]> mine =
                    writes.subList(Math.min(writes.size(), t * share), Math.min(writes.size(), (t + 1) * share));
            jobs.add(pool.submit(() -> {
                write(url, user, password, mode, mine, batch);
                return null;
            }));
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        long ns = System.nanoTime() - t0;
        pool.shutdown();
        long rows;
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*), COUNT(DISTINCT session_id, seg_index) FROM transcript_segment WHERE session_id LIKE '"
                                + mode + "-%'")) {
            rs.next();
            rows = rs.getLong(1);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("writes", writes.size());
        m.put("seconds", Math.round(ns / 1e7) / 100.0);
        m.put("writesPerSecond", Math.round(writes.size() / (ns / 1e9)));
        m.put("rows", rows);
        m.put("eachStoredOnce", rows == finals);
        return m;
    }

    private static void write(String url, String user, String password, String mode, List<int[]> writes, int batch)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement ps = c.prepareStatement(UPSERT)) {
            c.setAutoCommit(batch <= 1);
            for (int from = 0; from < writes.size(); from += Math.max(1, batch)) {
                List<int[]> part = writes.subList(from, Math.min(writes.size(), from + Math.max(1, batch)));
                for (int attempt = 1; ; attempt++) {
                    try {
                        for (int[] w : part) {
                            bind(ps, mode, w);
                            if (batch <= 1) {
                                ps.executeUpdate();
                            } else {
                                ps.addBatch();
                            }
                        }
                        if (batch > 1) {
                            ps.executeBatch();
                            c.commit();
                        }
                        break;
                    } catch (java.sql.SQLException e) {
                        // a deadlock between two writers of the same rows (a replay racing its original): retry, as a
                        // listener's error handler would
                        ps.clearBatch();
                        if (batch > 1) {
                            c.rollback();
                        }
                        if (attempt == 5 || !"40001".equals(e.getSQLState())) {
                            throw e;
                        }
                    }
                }
            }
        }
    }

    private static void bind(PreparedStatement ps, String mode, int[] w) throws java.sql.SQLException {
        Timestamp now = new Timestamp(System.currentTimeMillis());
        ps.setString(1, mode + "-" + w[0]);
        ps.setInt(2, w[1]);
        ps.setString(3, "chunks 10 final text of segment " + w[1]);
        ps.setLong(4, w[1] * 1000L);
        ps.setLong(5, w[1] * 1000L + 1000);
        ps.setString(6, "bench-echo");
        ps.setTimestamp(7, now);
        ps.setTimestamp(8, now);
    }

    /** result-service's own schema, from its Flyway migration in the repository. */
    private static String migration() throws Exception {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("result-service/src/main/resources/db/migration/V1__sessions_and_segments.sql");
            if (Files.exists(f)) {
                return Files.readString(f);
            }
        }
        throw new IllegalStateException("result-service's migration V1__sessions_and_segments.sql not found above "
                + Path.of("").toAbsolutePath());
    }
}
