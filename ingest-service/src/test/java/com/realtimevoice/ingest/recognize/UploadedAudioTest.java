package com.realtimevoice.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.testsupport.SpeechFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class UploadedAudioTest {

    @Test
    void readsTheCommittedFixture() throws Exception {
        byte[] wav = Files.readAllBytes(SpeechFixtures.wav("time.wav"));
        UploadedAudio audio = UploadedAudio.parse(wav, "time.wav", "audio/wav");
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.audio()).hasSize(wav.length - 44);
        assertThat(audio.format()).isEqualTo("pcm");
        assertThat(audio.durationMs()).isBetween(2600L, 2700L);
    }

    @Test
    void walksExtraChunksAndTrustsTheFileOverALyingHeader() throws Exception {
        byte[] samples = new byte[3200];
        byte[] list = "LIST\u0004\u0000\u0000\u0000INFO".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b =
                ByteBuffer.allocate(12 + 24 + list.length + 8 + samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(0).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(16000)
                .putInt(32000)
                .putShort((short) 2)
                .putShort((short) 16);
        b.put(list);
        b.put("data".getBytes(StandardCharsets.US_ASCII))
                .putInt(1_000_000)
                .put(samples); // claims far more than there is
        UploadedAudio audio = UploadedAudio.parse(b.array(), "x.wav", null);
        assertThat(audio.audio()).hasSize(3200);
    }

    @Test
    void rejectsWhatItCannotRecognise() {
        assertThatThrownBy(() -> UploadedAudio.parse(new byte[0], "a.wav", null))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> UploadedAudio.parse("ID3xxxxxxx".getBytes(StandardCharsets.US_ASCII), "a.mp3", null))
                .hasMessageContaining("MP3")
                .hasMessageContaining("no MPEG layer III frame");
        assertThatThrownBy(() -> UploadedAudio.parse(new byte[] {1, 2, 3}, "a.pcm", null))
                .hasMessageContaining("even");
        assertThatThrownBy(() ->
                        UploadedAudio.parse("RIFF\0\0\0\0WAVEjunk".getBytes(StandardCharsets.US_ASCII), "a.wav", null))
                .hasMessageContaining("no data chunk");
        assertThatThrownBy(() -> UploadedAudio.parse("hello there".getBytes(StandardCharsets.US_ASCII), "a.wav", null))
                .hasMessageContaining("RIFF");
    }

    @Test
    void surroundOrOddRatesAreUnsupportedNotBad() {
        ByteBuffer b = ByteBuffer.allocate(44 + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(48).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 6)
                .putInt(44100)
                .putInt(529200)
                .putShort((short) 12)
                .putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(12).put(new byte[12]);
        assertThatThrownBy(() -> UploadedAudio.parse(b.array(), "s.wav", null))
                .isInstanceOfSatisfying(
                        UploadedAudio.UnsupportedAudioException.class,
                        e -> assertThat(e.badRequest).isFalse())
                .hasMessageContaining("6 channel(s)");
        ByteBuffer c = ByteBuffer.wrap(b.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
        c.putShort(22, (short) 1).putInt(24, 7000).putShort(32, (short) 2);
        assertThatThrownBy(() -> UploadedAudio.parse(c.array(), "s.wav", null)).hasMessageContaining("7000 Hz");
    }
}
