package com.realtimevoice.local;

import com.realtimevoice.testsupport.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The end-to-end scenarios on the embedded default: in-process KRaft broker, real Vosk, MariaDB (or H2 off CI). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedPipelineTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void startCluster() {
        cluster = new LocalCluster(LocalCluster.Settings.defaults().withRandomPorts()
                .withDatabase(DATABASE.springProperties())).start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
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

    @Test
    void everyServiceExposesHealthAndMetrics() throws Exception {
        scenarios.everyServiceExposesHealthAndMetrics();
    }
}
