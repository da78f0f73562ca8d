package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default keeps storing sessions after its connection pool has replaced every connection (issue 18:
 * it stopped ~30 min after start, when Hikari retired the connection that had created the in-memory H2 database).
 * Time is compressed with the shipped setting DB_POOL_MAX_LIFETIME_MS at Hikari's minimum, 30 s: the test runs
 * through three generations of connections, so two complete recycles (about 65 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedDefaultRecyclingTest {

    private static final long LIFETIME_MS = 30_000;

    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void start() {
        // the embedded default's own database (LocalMain: no DB_HOST), not the test MariaDB; no warm-up (its own
        // test is EmbeddedDefaultDatabaseTest): 20 s less, and the recycles counted are the test's own
        cluster = new LocalCluster(LocalMain.settingsFrom(Map.of("LOCAL_WARMUP_SECONDS", "0"))
                        .withRandomPorts()
                        .withProperties(Map.of("DB_POOL_MAX_LIFETIME_MS", Long.toString(LIFETIME_MS))))
                .start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void storesAndAnswersSessionsAfterThePoolHasRecycledEveryConnection() throws Exception {
        HikariDataSource pool = cluster.resultServices().get(0).getBean(HikariDataSource.class);
        assertThat(pool.getMaxLifetime())
                .as("the shipped setting reached the pool")
                .isEqualTo(LIFETIME_MS);
        long t0 = System.nanoTime();
        int sessions = 0;
        // a session now, then one after each of two lifetimes (Hikari retires a connection up to 2.5 % early): the
        // database outlives the connection that created it and the one after it
        for (int generation = 0; generation <= 2; generation++) {
            long due =
                    t0 + Duration.ofMillis(generation * (LIFETIME_MS + 2_000)).toNanos();
            while (System.nanoTime() < due) {
                Thread.sleep(250);
            }
            scenarios.recognizesAnUploadedWav(); // 200 with the transcript, and its rows in the database
            sessions++;
        }
        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        assertThat(db.queryForObject("select count(*) from transcript_session", Integer.class))
                .isEqualTo(sessions);
    }
}
