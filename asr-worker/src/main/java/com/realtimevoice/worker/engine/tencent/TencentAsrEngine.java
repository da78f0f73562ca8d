package com.realtimevoice.worker.engine.tencent;

import com.realtimevoice.events.RecognitionOptions;
import com.realtimevoice.worker.engine.CloudEngineException;
import com.realtimevoice.worker.engine.CloudEngineException.Kind;
import com.realtimevoice.worker.engine.EngineUnavailableException;
import com.realtimevoice.worker.engine.SegmentEngine;
import com.realtimevoice.worker.engine.SegmentRequest;
import com.realtimevoice.worker.engine.SegmentResult;
import com.realtimevoice.worker.engine.cloud.CallPolicy;
import com.tencentcloudapi.asr.v20190614.AsrClient;
import com.tencentcloudapi.asr.v20190614.models.DescribeTaskStatusRequest;
import com.tencentcloudapi.asr.v20190614.models.SentenceRecognitionRequest;
import com.tencentcloudapi.asr.v20190614.models.SentenceRecognitionResponse;
import com.tencentcloudapi.asr.v20190614.models.SentenceWord;
import com.tencentcloudapi.common.Credential;
import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import com.tencentcloudapi.common.profile.ClientProfile;
import com.tencentcloudapi.common.profile.HttpProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Tencent Cloud ASR through the official SDK ({@code tencentcloud-sdk-java-asr}): one SentenceRecognition
 * ("一句话识别") request per segment, audio inline (base64, at most 60 s and 3 MB), signed TC3-HMAC-SHA256 by the SDK.
 * Blocking: the worker calls it through {@code CloudCalls}, which adds the executor, rate limit, retries and breaker.
 */
@Component
public class TencentAsrEngine implements SegmentEngine, InitializingBean {

    public static final String NAME = "tencent";
    private static final Logger log = LoggerFactory.getLogger(TencentAsrEngine.class);
    private static final Pattern MODEL = Pattern.compile("(8k|16k)_[a-z0-9_]+");
    /** SentenceRecognition's limits on inline audio. */
    static final long MAX_AUDIO_MS = 60_000;

    static final int MAX_AUDIO_BYTES = 3 * 1024 * 1024;

    private final TencentProperties properties;
    private final AsrClient client;

    public TencentAsrEngine(TencentProperties properties) {
        this.properties = properties;
        this.client = properties.configured() ? client(properties) : null;
    }

    private static AsrClient client(TencentProperties p) {
        HttpProfile http = new HttpProfile();
        http.setEndpoint(p.endpoint());
        http.setProtocol(p.protocol());
        int seconds = (int) Math.max(1, p.timeout().toSeconds());
        http.setConnTimeout(seconds);
        http.setReadTimeout(seconds);
        http.setWriteTimeout(seconds);
        if (p.proxy() != null && !p.proxy().isBlank()) {
            int colon = p.proxy().lastIndexOf(':');
            http.setProxyHost(p.proxy().substring(0, colon));
            http.setProxyPort(Integer.parseInt(p.proxy().substring(colon + 1)));
        }
        ClientProfile profile = new ClientProfile();
        profile.setHttpProfile(http);
        return new AsrClient(new Credential(p.secretId().strip(), p.secretKey().strip()), p.region(), profile);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CallPolicy policy() {
        return properties.calls().policy();
    }

    /** Checks the credentials with a call that costs nothing, so that refused ones stop the start, not a user's session. */
    @Override
    public void afterPropertiesSet() {
        if (client == null) {
            log.info(
                    "tencent: not configured (TENCENT_SECRET_ID / TENCENT_SECRET_KEY unset); sessions asking for it are refused");
            return;
        }
        log.info(
                "tencent: SentenceRecognition at {}{} (region {}, default model {}, app id {}, {} requests/s)",
                properties.protocol(),
                properties.endpoint(),
                properties.region(),
                properties.defaultModel(),
                properties.appId() == null || properties.appId().isBlank() ? "unset" : properties.appId(),
                properties.calls().requestsPerSecond());
        if (!properties.verifyAtStart()) {
            return;
        }
        DescribeTaskStatusRequest probe = new DescribeTaskStatusRequest();
        probe.setTaskId(0L); // no such task: a valid key gets a "no such task" error, a bad one AuthFailure
        try {
            client.DescribeTaskStatus(probe);
        } catch (TencentCloudSDKException e) {
            CloudEngineException c = classify(e);
            if (c.kind() == Kind.AUTH) {
                throw new IllegalStateException(
                        "tencent: Tencent Cloud refused the credentials in TENCENT_SECRET_ID / TENCENT_SECRET_KEY ("
                                + c.code() + ": " + c.getMessage()
                                + "); fix them, or set ASR_TENCENT_VERIFY_AT_START=false to start anyway");
            }
            if (c.kind() == Kind.RETRYABLE) {
                log.warn(
                        "tencent: could not check the credentials at start ({}: {}); going on",
                        c.code(),
                        c.getMessage());
            }
        }
    }

    @Override
    public void checkSession(String language) {
        if (client == null) {
            throw new EngineUnavailableException(
                    "tencent: not configured; set TENCENT_SECRET_ID and TENCENT_SECRET_KEY");
        }
        model(language);
    }

    @Override
    public int sampleRate(String language) {
        return model(language).startsWith("8k") ? 8000 : 16000;
    }

    @Override
    public boolean acceptsMp3(String language, int mp3SampleRate) {
        return properties.mp3PassThrough() && mp3SampleRate == sampleRate(language);
    }

    /** The EngSerViceType for a session's language. */
    String model(String language) {
        if (language == null || language.isBlank()) {
            return properties.defaultModel();
        }
        String model = properties.models().get(language);
        if (model == null) {
            model = properties.models().get(language.toLowerCase(Locale.ROOT));
        }
        if (model != null) {
            return model;
        }
        if (MODEL.matcher(language).matches()) {
            return language;
        }
        throw new EngineUnavailableException("tencent: no model for language '" + language + "'; configured: "
                + properties.models().keySet() + " (asr.worker.tencent.models), or name a model such as 16k_zh");
    }

    @Override
    public SegmentResult recognize(SegmentRequest segment) throws CloudEngineException {
        if (client == null) {
            throw new CloudEngineException(
                    Kind.AUTH, "NotConfigured", "TENCENT_SECRET_ID / TENCENT_SECRET_KEY are not set", null, null);
        }
        String model = model(segment.language());
        boolean mp3 = segment.mp3() != null;
        byte[] data = mp3 ? segment.mp3() : wav(segment.pcm16le(), segment.sampleRate());
        if (segment.durationMs() > MAX_AUDIO_MS || data.length > MAX_AUDIO_BYTES) {
            throw new CloudEngineException(
                    Kind.REJECTED,
                    "AudioTooLong",
                    "segment of " + segment.durationMs() + " ms, " + data.length
                            + " bytes is over SentenceRecognition's 60 s / 3 MB",
                    null,
                    null);
        }
        SentenceRecognitionRequest request = new SentenceRecognitionRequest();
        request.setProjectId(0L);
        request.setSubServiceType(2L); // one sentence
        request.setEngSerViceType(model);
        request.setSourceType(1L); // audio in the body
        request.setVoiceFormat(mp3 ? "mp3" : "wav");
        request.setUsrAudioKey(segment.segmentKey());
        request.setData(Base64.getEncoder().encodeToString(data));
        request.setDataLen((long) data.length);
        request.setWordInfo(1L); // word times, so the final's start and end are the speech's
        applyOptions(request, segment.options());
        SentenceRecognitionResponse response;
        try {
            response = client.SentenceRecognition(request);
        } catch (TencentCloudSDKException e) {
            throw classify(e);
        }
        List<SegmentResult.Word> words = new ArrayList<>();
        if (response.getWordList() != null) {
            for (SentenceWord w : response.getWordList()) {
                words.add(new SegmentResult.Word(w.getWord(), nz(w.getStartTime()), nz(w.getEndTime())));
            }
        }
        String text = response.getResult() == null ? "" : response.getResult().strip();
        return new SegmentResult(text, words, nz(response.getAudioDuration()), response.getRequestId());
    }

    /**
     * The session's hotwords and output controls as SentenceRecognition's parameters. HotwordList ("word|weight,...",
     * temporary hotwords, weight 10) is newer than the SDK's model class, so it goes in through {@code set}, which the
     * SDK serialises with the declared fields. Unasked controls keep Tencent's defaults (punctuation, digits, no filter).
     */
    static void applyOptions(SentenceRecognitionRequest request, RecognitionOptions options) {
        if (!options.hotwords().isEmpty()) {
            request.set(
                    "HotwordList",
                    String.join(
                            ",",
                            options.hotwords().stream()
                                    .map(w -> w.replace("|", " ").replace(",", " ") + "|10")
                                    .toList()));
        }
        if (options.punctuation() != null) {
            request.setFilterPunc(options.punctuation() ? 0L : 2L); // 2: no punctuation at all
        }
        if (options.numbers() != null) {
            request.setConvertNumMode("digits".equals(options.numbers()) ? 1L : 0L); // 1: smart conversion to digits
        }
        if (options.profanity() != null) {
            request.setFilterDirty(
                    switch (options.profanity()) {
                        case "mask" -> 2L; // replaced by *
                        case "remove" -> 1L; // filtered out
                        default -> 0L;
                    });
        }
    }

    /** Which failures are worth retrying: throttling, server errors and the network are; refused credentials and bad requests are not. */
    static CloudEngineException classify(TencentCloudSDKException e) {
        String code = e.getErrorCode() == null ? "" : e.getErrorCode();
        Kind kind;
        if (code.startsWith("AuthFailure")
                || code.equals("FailedOperation.ServiceIsolate")
                || code.equals("FailedOperation.UserHasNoFreeAmount")
                || code.equals("FailedOperation.UserNotRegistered")) {
            kind = Kind.AUTH;
        } else if (code.isEmpty()
                || code.startsWith("RequestLimitExceeded")
                || code.startsWith("InternalError")
                || code.equals("ServerSideError")
                || code.startsWith("ResourceUnavailable")) {
            kind = Kind.RETRYABLE;
        } else {
            kind = Kind.REJECTED;
        }
        return new CloudEngineException(
                kind, code.isEmpty() ? "NetworkError" : code, e.getMessage(), e.getRequestId(), e);
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    /** A canonical 44-byte header over 16-bit mono PCM. */
    static byte[] wav(byte[] pcm, int rate) {
        ByteBuffer b = ByteBuffer.allocate(44 + pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(36 + pcm.length)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(rate)
                .putInt(rate * 2)
                .putShort((short) 2)
                .putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length).put(pcm);
        return b.array();
    }
}
