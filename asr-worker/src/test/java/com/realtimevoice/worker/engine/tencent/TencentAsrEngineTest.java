package com.realtimevoice.worker.engine.tencent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.events.RecognitionOptions;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.engine.CloudEngineException;
import com.realtimevoice.worker.engine.CloudEngineException.Kind;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.SegmentRequest;
import com.realtimevoice.worker.engine.SegmentResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SDK (signing, JSON, errors) against the local fake of the service: no request leaves the machine. */
class TencentAsrEngineTest {

    private FakeTencentAsr fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeTencentAsr().recogniser(TencentTestSupport.vosk());
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void recognisesASegmentWithSignedRequestAndParsesTheAnswer() throws Exception {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        SegmentResult result = engine.recognize(request("weather.wav", "en"));
        double wer = WordErrorRate.of(SpeechFixtures.reference("weather.wav"), result.text());
        System.out.printf(
                "tencent(fake) weather.wav: '%s' WER %.3f, %d words, %d ms, request %s%n",
                result.text(), wer, result.words().size(), result.audioDuration(), result.requestId());
        assertThat(wer).isLessThanOrEqualTo(0.2);
        assertThat(result.words()).isNotEmpty();
        assertThat(result.audioDuration()).isBetween(3200L, 3400L);
        assertThat(result.requestId()).isNotBlank();
        FakeTencentAsr.Received got = fake.recognitions().get(0);
        assertThat(got.outcome()).isEqualTo("OK");
        assertThat(got.params())
                .containsEntry("EngSerViceType", "\"16k_en\"")
                .containsEntry("SubServiceType", "2")
                .containsEntry("VoiceFormat", "\"wav\"")
                .containsEntry("UsrAudioKey", "\"s1-0\"")
                .containsEntry("WordInfo", "1");
        // no options asked: Tencent's defaults, none of its option parameters sent
        assertThat(got.params()).doesNotContainKeys("HotwordList", "FilterPunc", "ConvertNumMode", "FilterDirty");
    }

    /** The start's hotwords and output controls reach SentenceRecognition as its own parameters, on the wire. */
    @Test
    void hotwordsAndOutputControlsBecomeTencentParameters() throws Exception {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        engine.recognize(new SegmentRequest(
                "s1-0",
                "en",
                SpeechFixtures.pcm("time.wav"),
                16000,
                null,
                0,
                new RecognitionOptions(java.util.List.of("Stella", "New York"), false, "words", "mask")));
        engine.recognize(new SegmentRequest(
                "s1-1",
                "en",
                SpeechFixtures.pcm("time.wav"),
                16000,
                null,
                0,
                new RecognitionOptions(java.util.List.of(), true, "digits", "remove")));
        assertThat(fake.recognitions().get(0).params())
                .containsEntry("HotwordList", "\"Stella|10,New York|10\"")
                .containsEntry("FilterPunc", "2")
                .containsEntry("ConvertNumMode", "0")
                .containsEntry("FilterDirty", "2");
        assertThat(fake.recognitions().get(1).params())
                .doesNotContainKey("HotwordList")
                .containsEntry("FilterPunc", "0")
                .containsEntry("ConvertNumMode", "1")
                .containsEntry("FilterDirty", "1");
    }

    @Test
    void aWrongSecretKeyIsASignatureFailureAndNotRetryable() {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake, "not-the-key", 4, 5));
        assertThatThrownBy(() -> engine.recognize(request("time.wav", null)))
                .isInstanceOfSatisfying(CloudEngineException.class, e -> {
                    assertThat(e.code()).isEqualTo("AuthFailure.SignatureFailure");
                    assertThat(e.kind()).isEqualTo(Kind.AUTH);
                    assertThat(e.requestId()).isNotBlank();
                });
    }

    @Test
    void aSkewedClockIsAnExpiredSignature() {
        fake.skewClock(600);
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        assertThatThrownBy(() -> engine.recognize(request("time.wav", null)))
                .isInstanceOfSatisfying(CloudEngineException.class, e -> {
                    assertThat(e.code()).isEqualTo("AuthFailure.SignatureExpire");
                    assertThat(e.kind()).isEqualTo(Kind.AUTH);
                });
    }

    @Test
    void refusedCredentialsStopTheStartWithWhatToFix() {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake, "not-the-key", 4, 5));
        assertThatThrownBy(engine::afterPropertiesSet)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TENCENT_SECRET_ID")
                .hasMessageContaining("AuthFailure.SignatureFailure");
        // good credentials: the free probe answers "no such task", and the start goes on
        new TencentAsrEngine(TencentTestSupport.properties(fake)).afterPropertiesSet();
        assertThat(fake.received())
                .extracting(FakeTencentAsr.Received::outcome)
                .containsExactly("AuthFailure.SignatureFailure", "FailedOperation.NoSuchTask");
    }

    @Test
    void errorsAreClassifiedForRetrying() {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        fake.failNext(
                "RequestLimitExceeded",
                "InternalError",
                "FailedOperation.ErrorRecognize",
                "InvalidParameterValue.ErrorVoicedataTooLong");
        assertThat(kindOf(engine)).isEqualTo(Kind.RETRYABLE);
        assertThat(kindOf(engine)).isEqualTo(Kind.RETRYABLE);
        assertThat(kindOf(engine)).isEqualTo(Kind.REJECTED);
        assertThat(kindOf(engine)).isEqualTo(Kind.REJECTED);
        fake.failWithStatus(503);
        assertThatThrownBy(() -> engine.recognize(request("time.wav", null)))
                .isInstanceOfSatisfying(
                        CloudEngineException.class, e -> assertThat(e.kind()).isEqualTo(Kind.RETRYABLE));
    }

    @Test
    void theFakeChecksParametersAsTheServiceDoes() throws Exception {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        // 8 kHz audio for the 16 kHz model: the service cannot recognise it
        byte[] pcm = SpeechFixtures.pcm("time.wav");
        assertThatThrownBy(() -> engine.recognize(new SegmentRequest("s1-0", "zh", pcm, 8000, null, 0)))
                .isInstanceOfSatisfying(
                        CloudEngineException.class,
                        e -> assertThat(e.code()).isEqualTo("FailedOperation.ErrorRecognize"));
        // the engine refuses over-long audio itself, before spending a request
        byte[] minute = new byte[61 * 32_000];
        assertThatThrownBy(() -> engine.recognize(new SegmentRequest("s1-1", "zh", minute, 16000, null, 0)))
                .isInstanceOfSatisfying(
                        CloudEngineException.class, e -> assertThat(e.kind()).isEqualTo(Kind.REJECTED));
        assertThat(fake.recognitions()).hasSize(1);
    }

    @Test
    void modelsFollowTheSessionLanguage() {
        TencentAsrEngine engine = new TencentAsrEngine(TencentTestSupport.properties(fake));
        assertThat(engine.model(null)).isEqualTo("16k_zh");
        assertThat(engine.model("en")).isEqualTo("16k_en");
        assertThat(engine.model("16k_zh_dialect")).isEqualTo("16k_zh_dialect");
        assertThat(engine.sampleRate("zh-8k")).isEqualTo(8000);
        assertThatThrownBy(() -> engine.checkSession("xx"))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining("no model for language 'xx'");
        TencentProperties none = new TencentProperties(
                "",
                "",
                "",
                "ap-shanghai",
                "asr.tencentcloudapi.com",
                "https://",
                "",
                "16k_zh",
                java.util.Map.of(),
                true,
                java.time.Duration.ofSeconds(5),
                true,
                TencentTestSupport.properties(fake).calls());
        assertThatThrownBy(() -> new TencentAsrEngine(none).checkSession(null))
                .hasMessageContaining("TENCENT_SECRET_ID");
    }

    private Kind kindOf(TencentAsrEngine engine) {
        try {
            engine.recognize(request("time.wav", null));
            return null;
        } catch (CloudEngineException e) {
            return e.kind();
        }
    }

    private static SegmentRequest request(String fixture, String language) {
        return new SegmentRequest("s1-0", language, SpeechFixtures.pcm(fixture), 16000, null, 0);
    }
}
