package com.realtimevoice.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Guards the per-chunk envelope against allocation regressions (issue 24): every 100 ms of every stream passes
 * {@link EventRecords#toRecord} at its ingest node and {@link EventRecords#fromRecord} at its worker, so bytes
 * allocated here are garbage at 10 per second per stream. Bytes, not time: the count of this thread's allocations
 * does not depend on the machine's load. The bounds are what the code allocated when written (2026-12-07: 1,616 and
 * 544-560 bytes a chunk besides the audio, the same with -Xint; the JIT only removes allocations) with ~50 % headroom;
 * raising one needs a reason in docs/performance.md.
 */
class EnvelopeAllocationTest {

    private static final int AUDIO_BYTES = 3200; // 100 ms of 16 kHz 16-bit mono
    private static final long ENCODE_BOUND = 2400;
    private static final long DECODE_BOUND = 840;

    private final AudioChunk chunk = new AudioChunk(
            "3f1c2a9e-8d4b-4c55-9a0e-5b7d2e1f0c3a",
            42,
            42L * AUDIO_BYTES,
            "pcm",
            16000,
            1_796_600_000_000L,
            new byte[AUDIO_BYTES]);

    @Test
    void encodingAChunkAllocatesLittleBesidesItsAudio() {
        // the record's value is the audio itself (headers carry the rest): no copy of the payload is made
        ProducerRecord<String, byte[]> record = EventRecords.toRecord(Topics.AUDIO, chunk);
        assertThat(record.value()).isSameAs(chunk.audio());

        long perChunk = bytesPerCall(() -> EventRecords.toRecord(Topics.AUDIO, chunk));
        System.out.printf("toRecord(audio chunk): %d bytes allocated per chunk%n", perChunk);
        assertThat(perChunk).isLessThanOrEqualTo(ENCODE_BOUND);
    }

    @Test
    void decodingAChunkAllocatesLittleBesidesItsAudio() {
        ConsumerRecord<String, byte[]> consumed = consumed(EventRecords.toRecord(Topics.AUDIO, chunk));
        assertThat(((AudioChunk) EventRecords.fromRecord(consumed)).audio()).isSameAs(consumed.value());

        long perChunk = bytesPerCall(() -> EventRecords.fromRecord(consumed));
        System.out.printf("fromRecord(audio chunk): %d bytes allocated per chunk%n", perChunk);
        assertThat(perChunk).isLessThanOrEqualTo(DECODE_BOUND);
    }

    /** This thread's bytes allocated per call, over many calls after a warm-up; the least of three rounds. */
    private static long bytesPerCall(Supplier<?> call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        int calls = 20_000;
        Object sink = null;
        for (int i = 0; i < calls; i++) {
            sink = call.get();
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                sink = call.get();
            }
            long after = threads.getThreadAllocatedBytes(tid);
            best = Math.min(best, (after - before) / calls);
        }
        assertThat(sink).isNotNull();
        return best;
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> p) {
        return new ConsumerRecord<>(
                p.topic(),
                0,
                0L,
                0L,
                TimestampType.CREATE_TIME,
                0,
                p.value().length,
                p.key(),
                p.value(),
                new RecordHeaders(p.headers().toArray()),
                java.util.Optional.empty());
    }
}
