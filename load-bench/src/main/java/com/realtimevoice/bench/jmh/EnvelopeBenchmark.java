package com.realtimevoice.bench.jmh;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-chunk envelope: {@link EventRecords#toRecord} at the ingest node (100 ms of audio, headers only) and
 * {@link EventRecords#fromRecord} at the worker; and the same for a final (JSON value) at worker and result-service.
 */
@State(Scope.Thread)
public class EnvelopeBenchmark extends HotPathBenchmark {

    private AudioChunk chunk;
    private TranscriptFinal fin;
    private ConsumerRecord<String, byte[]> chunkRecord;
    private ConsumerRecord<String, byte[]> finalRecord;

    @Setup
    public void setUp() {
        String session = java.util.UUID.randomUUID().toString();
        byte[] audio = new byte[3200];
        ThreadLocalRandom.current().nextBytes(audio);
        chunk = new AudioChunk(session, 42, 42 * 3200, "pcm", 16000, System.currentTimeMillis(), audio);
        fin = new TranscriptFinal(
                session,
                3,
                "please call stella ask her to bring these things",
                1200,
                4300,
                "vosk",
                System.currentTimeMillis(),
                System.currentTimeMillis());
        chunkRecord = consumed(EventRecords.toRecord(Topics.AUDIO, chunk));
        finalRecord = consumed(EventRecords.toRecord(Topics.TRANSCRIPTS, fin));
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

    @Benchmark
    public ProducerRecord<String, byte[]> encodeAudioChunk() {
        return EventRecords.toRecord(Topics.AUDIO, chunk);
    }

    @Benchmark
    public PipelineEvent decodeAudioChunk() {
        return EventRecords.fromRecord(chunkRecord);
    }

    @Benchmark
    public ProducerRecord<String, byte[]> encodeFinal() {
        return EventRecords.toRecord(Topics.TRANSCRIPTS, fin);
    }

    @Benchmark
    public PipelineEvent decodeFinal() {
        return EventRecords.fromRecord(finalRecord);
    }
}
