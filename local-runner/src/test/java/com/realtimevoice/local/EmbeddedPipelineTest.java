package com.realtimevoice.local;

import com.realtimevoice.testsupport.FakeWeChat;
import com.realtimevoice.testsupport.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The end-to-end scenarios on the embedded default: in-process KRaft broker, real Vosk, MariaDB (or H2 off CI). */
class EmbeddedPipelineTest extends ClusterTest {

    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    @RegisterExtension
    static final FakeWeChat WECHAT = FakeWeChat.start();

    @BeforeAll
    void startCluster() {
        start(settings(DATABASE)
                .withProperties(Map.of(
                        "WECHAT_APP_ID",
                        FakeWeChat.APP_ID,
                        "WECHAT_APP_SECRET",
                        FakeWeChat.SECRET,
                        "WECHAT_API_BASE_URL",
                        WECHAT.baseUrl().toString())));
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
