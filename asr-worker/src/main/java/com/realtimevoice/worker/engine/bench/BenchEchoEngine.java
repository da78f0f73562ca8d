package com.realtimevoice.worker.engine.bench;

import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import com.realtimevoice.worker.engine.RecognitionResult.Partial;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * A BENCHMARKING engine, not a speech recogniser: {@code bench-echo} does no ASR work, so a load test shows the
 * pipeline's own limits (sockets, Kafka, result-service, the database) rather than the engine's. It emits a partial
 * {@code "chunk <k>"} on the first chunk of each segment and a final {@code "chunks <n>"} every
 * {@code chunksPerFinal} chunks (and on finish, for the remainder), with the segment's place in the audio.
 *
 * <p>Only a bean when {@code asr.bench.enabled} is true ({@code ASR_BENCH_ENGINE_ENABLED=true}): a production
 * worker never offers it, and a session asking for it gets {@code ENGINE_UNAVAILABLE} like any unknown engine.
 */
@Component
@ConditionalOnProperty(name = "asr.bench.enabled", havingValue = "true")
public class BenchEchoEngine implements SpeechEngine {

    public static final String NAME = "bench-echo";

    private final int chunksPerFinal;

    public BenchEchoEngine(@Value("${asr.bench.chunks-per-final:10}") int chunksPerFinal) {
        if (chunksPerFinal < 1) {
            throw new IllegalStateException(
                    "asr.bench.chunks-per-final (ASR_BENCH_CHUNKS_PER_FINAL) must be >= 1, got " + chunksPerFinal);
        }
        this.chunksPerFinal = chunksPerFinal;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecognitionStream open(StreamSpec spec) {
        return new EchoStream(chunksPerFinal, spec.sampleRate() * 2L);
    }

    static final class EchoStream implements RecognitionStream {

        private final int chunksPerFinal;
        private final long bytesPerSecond;
        private long bytesFed;
        private long segmentStartMs;
        private int chunksInSegment;
        private long chunks;

        EchoStream(int chunksPerFinal, long bytesPerSecond) {
            this.chunksPerFinal = chunksPerFinal;
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public List<RecognitionResult> accept(byte[] pcm16le) {
            bytesFed += pcm16le.length;
            chunks++;
            chunksInSegment++;
            List<RecognitionResult> out = new ArrayList<>(1);
            if (chunksInSegment == 1) {
                out.add(new Partial("chunk " + chunks));
            }
            if (chunksInSegment >= chunksPerFinal) {
                out.add(finalOfSegment());
            }
            return out;
        }

        @Override
        public List<RecognitionResult> finish() {
            return chunksInSegment == 0 ? List.of() : List.of(finalOfSegment());
        }

        private Final finalOfSegment() {
            long endMs = bytesFed * 1000 / bytesPerSecond;
            Final f = new Final("chunks " + chunksInSegment, segmentStartMs, endMs);
            segmentStartMs = endMs;
            chunksInSegment = 0;
            return f;
        }

        @Override
        public void close() {}
    }
}
