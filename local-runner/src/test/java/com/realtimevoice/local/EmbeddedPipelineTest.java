package com.realtimevoice.local;

import com.realtimevoice.testsupport.FakeWeChat;
import com.realtimevoice.testsupport.TestDatabase;
import java.util.Map;
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

    static final FakeWeChat WECHAT = FakeWeChat.start();

    private LocalCluster cluster;
    private PipelineScenarios scenarios;

    @BeforeAll
    void startCluster() {
        cluster = new LocalCluster(LocalCluster.Settings.defaults()
                        .withRandomPorts()
                        .withDatabase(DATABASE.springProperties())
                        .withProperties(Map.of(
                                "WECHAT_APP_ID",
                                FakeWeChat.APP_ID,
                                "WECHAT_APP_SECRET",
                                FakeWeChat.SECRET,
                                "WECHAT_API_BASE_URL",
                                WECHAT.baseUrl().toString())))
                .start();
        scenarios = new PipelineScenarios(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        WECHAT.close();
    }

    @Test
    void streamsSpeechAndStoresTheTranscript() throws Exception {
        scenarios.streamsSpeechAndStoresTheTranscript();
    }

    @Test
    void hotwordsAndProfanityMaskReachTheClient() throws Exception {
        scenarios.hotwordsAndProfanityMaskReachTheClient();
    }

    @Test
    void deletingALiveSessionEndsItFirst() throws Exception {
        scenarios.deletingALiveSessionEndsItFirst();
    }

    @Test
    void flushAndSpeechEventsAtRealTimePace() throws Exception {
        scenarios.flushAndSpeechEventsAtRealTimePace();
    }

    @Test
    void recognizesAnUploadedWav() throws Exception {
        scenarios.recognizesAnUploadedWav();
    }

    @Test
    void aMiniProgramLogsInWithWeChatAndStreams() throws Exception {
        scenarios.aMiniProgramLogsInWithWeChatAndStreams(WECHAT);
    }

    @Test
    void everyServiceExposesHealthAndMetrics() throws Exception {
        scenarios.everyServiceExposesHealthAndMetrics();
    }
}
