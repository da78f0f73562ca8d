package com.realtimevoice.result.intake;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.stereotype.Component;

/**
 * Per-hop latency of the pipeline: from the moment the upstream service built a record ({@code rv-created-at})
 * to the moment this service's listener takes it, tagged by event type. This is the hop
 * worker -> this result service (asr.transcripts.v1); producer batching, the broker and the consumer's wait for a poll are all in it.
 * Boot's listener container factory picks this bean up as its record interceptor and as its batch interceptor
 * (the transcripts listener is a batch listener: each record of a poll is measured when the poll reaches it).
 */
@Component
class HopLatencyInterceptor implements RecordInterceptor<Object, Object>, BatchInterceptor<Object, Object> {

    static final String METER = "result.hop.latency";

    private final MeterRegistry registry;
    private final Map<String, Timer> byType = new ConcurrentHashMap<>();

    HopLatencyInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
        record(record, System.currentTimeMillis());
        return record;
    }

    @Override
    public ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
        long now = System.currentTimeMillis();
        for (ConsumerRecord<Object, Object> record : records) {
            record(record, now);
        }
        return records;
    }

    void record(ConsumerRecord<?, ?> record, long nowMs) {
        long createdAt;
        try {
            createdAt = EventRecords.createdAt(record.headers());
        } catch (RuntimeException malformed) {
            return; // the listener rejects the record itself; a metric must not fail it first
        }
        if (createdAt > 0) {
            timer(type(record)).record(Math.max(0, nowMs - createdAt), TimeUnit.MILLISECONDS);
        }
    }

    /** The event type token, or "unknown": a tag value must come from a small fixed set. */
    private static String type(ConsumerRecord<?, ?> record) {
        try {
            return EventType.fromToken(EventRecords.header(record.headers(), EventHeaders.TYPE)).token();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private Timer timer(String type) {
        return byType.computeIfAbsent(type, t -> Timer.builder(METER)
                .description("From the record's creation upstream (rv-created-at) to its consumption here")
                .tag("type", t)
                .publishPercentileHistogram()
                .register(registry));
    }
}
