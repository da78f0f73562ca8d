package com.realtimevoice.worker.engine.tencent;

import com.realtimevoice.worker.audio.AudioConverter;
import com.realtimevoice.worker.audio.AudioFormat;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Wiring the real engine (real SDK) to a {@link FakeTencentAsr}. */
public final class TencentTestSupport {

    private TencentTestSupport() {}

    /** Endpoint asr.tencentcloudapi.com over http://, reached through the fake as the HTTP proxy: nothing leaves the machine. */
    public static TencentProperties properties(
            FakeTencentAsr fake, String secretKey, int maxAttempts, int failureThreshold) {
        return new TencentProperties(
                FakeTencentAsr.SECRET_ID,
                secretKey,
                "1250000000",
                "ap-shanghai",
                "asr.tencentcloudapi.com",
                "http://",
                fake.address(),
                "16k_zh",
                Map.of("zh", "16k_zh", "en", "16k_en", "zh-8k", "8k_zh"),
                true,
                Duration.ofSeconds(30),
                true,
                new TencentProperties.Calls(
                        20,
                        4,
                        100,
                        maxAttempts,
                        Duration.ofMillis(20),
                        Duration.ofMillis(100),
                        failureThreshold,
                        Duration.ofMillis(500)));
    }

    public static TencentProperties properties(FakeTencentAsr fake) {
        return properties(fake, FakeTencentAsr.SECRET_KEY, 4, 5);
    }

    /** The fake recognises what it receives with the repository's Vosk model: WAV (8 or 16 kHz) or MP3. */
    public static FakeTencentAsr.Recogniser vosk() {
        return (format, audio, model) -> {
            byte[] pcm16k;
            if (format.equals("mp3")) {
                AudioConverter c = new AudioConverter(AudioFormat.parse("mp3", 16000));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(c.convert(audio));
                out.writeBytes(c.finish());
                pcm16k = out.toByteArray();
            } else {
                int rate = java.nio.ByteBuffer.wrap(audio)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getInt(24);
                byte[] pcm = Arrays.copyOfRange(audio, 44, audio.length);
                AudioConverter c = new AudioConverter(AudioFormat.parse("pcm", rate));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(c.convert(pcm));
                out.writeBytes(c.finish());
                pcm16k = out.toByteArray();
            }
            List<RecognitionResult.Final> finals = LocalVosk.finals(pcm16k);
            long duration = pcm16k.length / 32L;
            String text = String.join(
                            " ",
                            finals.stream().map(RecognitionResult.Final::text).toList())
                    .strip();
            List<FakeTencentAsr.Word> words = new ArrayList<>();
            for (RecognitionResult.Final f : finals) {
                String[] ws = f.text().split(" ");
                long step = Math.max(1, (f.endMs() - f.startMs()) / ws.length);
                for (int k = 0; k < ws.length; k++) {
                    words.add(new FakeTencentAsr.Word(ws[k], f.startMs() + k * step, f.startMs() + (k + 1) * step));
                }
            }
            return new FakeTencentAsr.Recognised(text, duration, words);
        };
    }
}
