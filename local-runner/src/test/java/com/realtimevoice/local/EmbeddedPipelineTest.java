package com.realtimevoice.local;

import com.realtimevoice.testsupport.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The end-to-end scenarios on the embedded default: in-process KRaft broker, real Vosk, MariaDB (or H2 off CI). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedPipelineTest {

    private TestDatabase database;
    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void startCluster() {
        database = TestDatabase.create();
        cluster = new LocalCluster(LocalCluster.Settings.defaults().withRandomPorts()
                .withDatabase(database.url, database.user, database.password)).start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void streamsSpeechAndStoresTheTranscript() throws Exception {
        scenarios.streamsSpeechAndStoresTheTranscript();
    }

    @Test
    void recognizesAnUploadedWav() throws Exception {
        scenarios.recognizesAnUploadedWav();
    }
}
