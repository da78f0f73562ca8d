package com.realtimevoice.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The committed format fixtures (fixtures/formats, made by sox, lame and ffmpeg) as uploads: what goes to the audio
 * topic. The recognition check after conversion (WER) is the worker's AudioFormatsRecognitionTest.
 */
class UploadedFormatsTest {

    private static final Path FORMATS = SpeechFixtures.DIR.resolveSibling("formats");

    @ParameterizedTest(name = "{0} -> {1} at {2} Hz, ~{3} ms")
    @CsvSource({
        "time-48k-ffmpeg.wav,       pcm,  48000, 1946", // ffmpeg: LIST/INFO chunk before data
        "time-8k-float.wav,         pcm,  8000,  1946", // 32-bit float, WAVE_FORMAT_EXTENSIBLE, fact chunk
        "weather-16k-24bit.wav,     pcm,  16000, 3322", // sox: 24-bit, WAVE_FORMAT_EXTENSIBLE
        "weather-16k-mono.mp3,      mp3,  16000, 3323", // lame, WeChat's defaults (plus lame's Info frame)
        "time-8k-mono.mp3,          mp3,  8000,  2646", // MPEG-2.5
        "sentences-44k1-stereo.mp3, mp3,  44100, 13726", // ffmpeg, ID3v2 tag
    })
    void fixturesAreAccepted(String file, String format, int rate, long ms) throws Exception {
        UploadedAudio audio = UploadedAudio.parse(Files.readAllBytes(FORMATS.resolve(file)), file, null);
        assertThat(audio.format()).isEqualTo(format);
        assertThat(audio.sampleRate()).isEqualTo(rate);
        // MP3 adds the encoder's delay and padding (and lame's Info frame): up to a few frames more than the source
        assertThat(audio.durationMs()).isBetween(ms - 10, ms + (format.equals("mp3") ? 250 : 10));
    }

    @Test
    void sampleWidthsConvertExactlyTo16Bit() throws Exception {
        // sox wrote the 16-bit weather.wav as 24-bit: converted back, every sample is the original
        UploadedAudio wide =
                UploadedAudio.parse(Files.readAllBytes(FORMATS.resolve("weather-16k-24bit.wav")), "w.wav", null);
        assertThat(wide.audio()).isEqualTo(SpeechFixtures.pcm("weather.wav"));
        // ffmpeg's float 8 kHz copy against sox's 16-bit one of the same audio: two resamplers, one signal
        short[] fromFloat =
                shorts(UploadedAudio.parse(Files.readAllBytes(FORMATS.resolve("time-8k-float.wav")), "t.wav", null)
                        .audio());
        short[] raw = shorts(Files.readAllBytes(FORMATS.resolve("time-8k-mono.s16le")));
        assertThat(fromFloat).hasSameSizeAs(raw);
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int k = 0; k < raw.length; k++) {
            xy += (double) fromFloat[k] * raw[k];
            xx += (double) fromFloat[k] * fromFloat[k];
            yy += (double) raw[k] * raw[k];
        }
        assertThat(xy / Math.sqrt(xx * yy)).as("correlation").isGreaterThan(0.98);
        assertThat(Math.sqrt(xx / yy)).as("level ratio").isBetween(0.95, 1.05);
    }

    @Test
    void stereoStaysInterleavedForTheWorkerToDownmix() throws Exception {
        byte[] raw = Files.readAllBytes(FORMATS.resolve("time-22k05-stereo.s16le"));
        ByteBuffer b = ByteBuffer.allocate(44 + raw.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes())
                .putInt(36 + raw.length)
                .put("WAVE".getBytes())
                .put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 2)
                .putInt(22050)
                .putInt(22050 * 4)
                .putShort((short) 4)
                .putShort((short) 16)
                .put("data".getBytes())
                .putInt(0)
                .put(raw); // data length 0: as a streaming writer leaves it
        UploadedAudio audio = UploadedAudio.parse(b.array(), "s.wav", null);
        assertThat(audio.format()).isEqualTo("pcm;channels=2");
        assertThat(audio.audio()).isEqualTo(raw);
        assertThat(audio.durationMs()).isBetween(1900L, 2000L);
    }

    @Test
    void g711IsDecoded() throws Exception {
        // mu-law 0xFF and A-law 0xD5 are silence; mu-law 0x80 is the positive peak
        byte[] mulaw = wav(7, new byte[] {(byte) 0xFF, (byte) 0x80});
        short[] s = shorts(UploadedAudio.parse(mulaw, "u.wav", null).audio());
        assertThat(s[0]).isZero();
        assertThat(s[1]).isEqualTo((short) 32124);
        short[] a = shorts(UploadedAudio.parse(wav(6, new byte[] {(byte) 0xD5, (byte) 0x55}), "a.wav", null)
                .audio());
        assertThat(a[0]).isEqualTo((short) 8);
        assertThat(a[1]).isEqualTo((short) -8);
    }

    private static byte[] wav(int tag, byte[] samples) {
        ByteBuffer b = ByteBuffer.allocate(44 + samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes())
                .putInt(36 + samples.length)
                .put("WAVE".getBytes())
                .put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) tag)
                .putShort((short) 1)
                .putInt(8000)
                .putInt(8000)
                .putShort((short) 1)
                .putShort((short) 8)
                .put("data".getBytes())
                .putInt(samples.length)
                .put(samples);
        return b.array();
    }

    private static short[] shorts(byte[] pcm) {
        short[] s = new short[pcm.length / 2];
        ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }
}
