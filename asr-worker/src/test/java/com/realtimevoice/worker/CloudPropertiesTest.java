package com.realtimevoice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.worker.engine.tencent.TencentProperties;
import com.realtimevoice.worker.segment.SegmentProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The Tencent and segmentation settings in asr-worker.yml: defaults, environment variables, refused values. */
class CloudPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withPropertyValues("spring.config.name=" + AsrWorkerApplication.CONFIG_NAME)
            .withUserConfiguration(Config.class);

    @Test
    void defaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            TencentProperties t = context.getBean(TencentProperties.class);
            assertThat(t.configured()).isFalse();
            assertThat(t.endpoint()).isEqualTo("asr.tencentcloudapi.com");
            assertThat(t.protocol()).isEqualTo("https://");
            assertThat(t.defaultModel()).isEqualTo("16k_zh");
            assertThat(t.models()).containsEntry("en", "16k_en").containsEntry("zh-cn", "16k_zh");
            assertThat(t.calls().requestsPerSecond()).isEqualTo(20.0);
            assertThat(t.verifyAtStart()).isTrue();
            SegmentProperties s = context.getBean(SegmentProperties.class);
            assertThat(s.silence()).isEqualTo(Duration.ofMillis(600));
            assertThat(s.maxLength()).isEqualTo(Duration.ofSeconds(30));
            assertThat(s.partials()).isEqualTo("vosk");
            assertThat(s.fallback()).isEqualTo(SegmentProperties.Fallback.LOCAL);
        });
    }

    @Test
    void environmentVariables() {
        runner.withPropertyValues(
                        "TENCENT_SECRET_ID=AKIDx",
                        "TENCENT_SECRET_KEY=k",
                        "ASR_TENCENT_RPS=5",
                        "ASR_TENCENT_MODEL=16k_en",
                        "ASR_CLOUD_FALLBACK=fail",
                        "ASR_TWO_PASS_PARTIALS=none",
                        "ASR_VAD_SILENCE=800ms")
                .run(context -> {
                    TencentProperties t = context.getBean(TencentProperties.class);
                    assertThat(t.configured()).isTrue();
                    assertThat(t.calls().requestsPerSecond()).isEqualTo(5.0);
                    assertThat(t.defaultModel()).isEqualTo("16k_en");
                    SegmentProperties s = context.getBean(SegmentProperties.class);
                    assertThat(s.fallback()).isEqualTo(SegmentProperties.Fallback.FAIL);
                    assertThat(s.hasPartials()).isFalse();
                    assertThat(s.silence()).isEqualTo(Duration.ofMillis(800));
                });
    }

    @Test
    void segmentsLongerThanTheCloudTakesAndForeignEndpointsAreRefused() {
        runner.withPropertyValues("ASR_VAD_MAX_SEGMENT=90s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("maxLength");
        });
        runner.withPropertyValues("ASR_TENCENT_ENDPOINT=127.0.0.1:9000").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("must start with 'asr.'");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({TencentProperties.class, SegmentProperties.class})
    static class Config {}
}
