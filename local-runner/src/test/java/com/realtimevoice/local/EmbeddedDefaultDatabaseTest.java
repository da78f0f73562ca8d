package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default keeps nothing between runs: a cluster started after another one in the same JVM (as tests
 * do) starts with an empty database, not with the rows of the one before (it once had one fixed in-memory H2 name).
 * The first starts as shipped, warm-up included: its sessions go through the pipeline and leave no row behind. The
 * second skips the warm-up (LOCAL_WARMUP_SECONDS=0, a shipped setting; 20 s of the suite): its question is only
 * which rows it sees.
 */
class EmbeddedDefaultDatabaseTest {

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void aClusterStartedAfterAnotherDoesNotSeeItsSessions() throws Exception {
        try (LocalCluster first = embeddedDefault(Map.of())) {
            WarmUp.Outcome warmUp = first.warmUpOutcome();
            assertThat(warmUp)
                    .as("LOCAL_WARMUP_SECONDS's default warms the embedded default up")
                    .isNotNull();
            assertThat(warmUp.sessions()).isPositive();
            assertThat(warmUp.finals())
                    .as("Vosk recognized the warm-up's speech")
                    .isPositive();
            assertThat(warmUp.failed()).isZero();
            assertThat(sessions(first)).as("the warm-up's sessions are deleted").isZero();
            new PipelineScenarios(first).recognizesAnUploadedWav();
            assertThat(sessions(first)).isEqualTo(1);
        }
        try (LocalCluster second = embeddedDefault(Map.of("LOCAL_WARMUP_SECONDS", "0"))) {
            assertThat(sessions(second)).as("rows of the cluster before").isZero();
            new PipelineScenarios(second).recognizesAnUploadedWav();
            assertThat(sessions(second)).isEqualTo(1);
        }
    }

    private static LocalCluster embeddedDefault(Map<String, String> env) {
        // the embedded default's own database (LocalMain: no DB_HOST), not the test MariaDB
        return new LocalCluster(LocalMain.settingsFrom(env).withRandomPorts()).start();
    }

    private static int sessions(LocalCluster cluster) {
        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        return db.queryForObject("select count(*) from transcript_session", Integer.class);
    }
}
