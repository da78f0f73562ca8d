package com.realtimevoice.worker.audio;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.engine.vosk.LocalVosk;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each committed format fixture, streamed through {@link AudioConverter} in the pieces a client would send, then
 * recognised by the bundled Vosk model: the word error rate after conversion, against the source's text.
 */
class AudioFormatsRecognitionTest {

    @ParameterizedTest(name = "{0} as {1} at {2} Hz: WER <= {4}")
    @CsvSource({
        // file,                     format,          rate,  piece bytes, max WER
        "time-8k-mono.s16le,         pcm,             8000,  1600,  0.25",
        "time-44k1-mono.s16le,       pcm,             44100, 8820,  0.25",
        "time-22k05-stereo.s16le,    pcm;channels=2,  22050, 8822,  0.25", // 8822: frames split across pieces
        "time-48k-ffmpeg.wav,        pcm,             48000, 9600,  0.25",
        // WeChat frameSize 1 KB. 0.4: with dither off (docs/engines.md) this always reads "the weather is the ice
        // today" (one word split in two), alone or after the rest of the module; it is repeatable, not flaky
        "weather-16k-mono.mp3,       mp3,             16000, 1024,  0.4",
        "time-8k-mono.mp3,           mp3,             8000,  1000,  0.25",
        "sentences-44k1-stereo.mp3,  mp3,             44100, 4096,  0.1",
    })
    void recognisesAfterConversion(String file, String format, int rate, int piece, double maxWer) {
        byte[] input = FormatFixtures.bytes(file);
        if (file.endsWith(".wav")) {
            input = FormatFixtures.wavData(input); // ingest unwraps WAV before Kafka
        }
        AudioConverter converter = new AudioConverter(AudioFormat.parse(format, rate));
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        for (int off = 0; off < input.length; off += piece) {
            pcm.writeBytes(converter.convert(Arrays.copyOfRange(input, off, Math.min(input.length, off + piece))));
        }
        pcm.writeBytes(converter.finish());
        String reference = FormatFixtures.reference(file);
        String hypothesis = LocalVosk.text(pcm.toByteArray());
        double wer = WordErrorRate.of(reference, hypothesis);
        System.out.printf("WER %s (%s %d Hz) = %.3f  hyp='%s'%n", file, format, rate, wer, hypothesis);
        assertThat(wer).as("'%s' vs '%s'", hypothesis, reference).isLessThanOrEqualTo(maxWer);
    }
}
