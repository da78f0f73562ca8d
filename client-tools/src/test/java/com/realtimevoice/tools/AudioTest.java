package com.realtimevoice.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class AudioTest {

    static byte[] wav(int format, int channels, int rate, int bits, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) format)
                .putShort((short) channels)
                .putInt(rate)
                .putInt(rate * channels * bits / 8)
                .putShort((short) (channels * bits / 8))
                .putShort((short) bits);
        b.put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void sixteenKilohertzMonoPassesThroughUnchanged() throws Exception {
        byte[] data = {1, 2, 3, 4, 5, 6};
        Audio.Pcm pcm = Audio.fromWav(wav(1, 1, 16000, 16, data));
        assertThat(pcm.data()).isEqualTo(data);
        assertThat(pcm.conversion()).isNull();
    }

    @Test
    void stereoFortyEightKilohertzIsDownmixedAndResampled() throws Exception {
        int frames = 4800; // 100 ms
        ByteBuffer data = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            data.putShort((short) 8000).putShort((short) 16000); // left and right: the mix is 12000
        }
        Audio.Pcm pcm = Audio.fromWav(wav(1, 2, 48000, 16, data.array()));
        assertThat(pcm.data().length).isEqualTo(1600 * 2);
        assertThat(pcm.conversion()).contains("48000 Hz").contains("2 channels");
        short first = ByteBuffer.wrap(pcm.data()).order(ByteOrder.LITTLE_ENDIAN).getShort(100);
        assertThat((int) first).isBetween(11990, 12010);
    }

    @Test
    void eightKilohertzEightBitIsUpsampled() throws Exception {
        byte[] data = new byte[800]; // 100 ms of 8-bit silence (128)
        java.util.Arrays.fill(data, (byte) 128);
        Audio.Pcm pcm = Audio.fromWav(wav(1, 1, 8000, 8, data));
        assertThat(pcm.data().length).isEqualTo(1600 * 2);
        assertThat(pcm.seconds()).isEqualTo(0.1);
    }

    @Test
    void theBundledDoctorClipIsSixteenKilohertzMono() throws Exception {
        try (InputStream in = Audio.class.getResourceAsStream("/doctor-clip.wav")) {
            Audio.Pcm pcm = Audio.fromWav(in.readAllBytes());
            assertThat(pcm.conversion()).isNull();
            assertThat(pcm.seconds()).isBetween(1.0, 5.0);
        }
    }

    @Test
    void mp3IsRecognisedByNameTagOrFrameSync() {
        assertThat(Audio.looksLikeMp3("talk.MP3", new byte[0])).isTrue();
        assertThat(Audio.looksLikeMp3(null, new byte[] {'I', 'D', '3', 4})).isTrue();
        assertThat(Audio.looksLikeMp3(null, new byte[] {(byte) 0xff, (byte) 0xfb, (byte) 0x90}))
                .isTrue();
        assertThat(Audio.looksLikeMp3("a.wav", new byte[] {'R', 'I', 'F', 'F'})).isFalse();
        assertThat(Audio.looksLikeMp3(null, new byte[] {0, 0, 0, 0})).isFalse();
    }

    @Test
    void mp3InsideAWavAndNonWavAreRefusedWithAFix() {
        assertThatThrownBy(() -> Audio.fromWav(wav(0x55, 1, 16000, 0, new byte[4])))
                .hasMessageContaining("MP3")
                .hasMessageContaining("sox");
        assertThatThrownBy(() -> Audio.fromWav("not a wav at all".getBytes())).hasMessageContaining("RIFF");
    }
}
