package com.realtimevoice.kafka;

import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Per-hop latency of the pipeline: from the moment the upstream service built a record ({@code rv-created-at})
 * to the moment this service's listener takes it, tagged by event type: producer batching, the broker and the
 * consumer's wait for a poll are all in it. A service registers one as a bean (with its meter's name); Boot's
 * listener container factory picks it up as its record interceptor and as its batch interceptor (a batch
 * listener's records are each measured when the poll reaches them; a record listener never calls the latter).
 */
public class HopLatencyInterceptor implements RecordInterceptor<Object, Object>, BatchInterceptor<Object, Object> {

    private final MeterRegistry registry;
    private final String meter;
    private final Map<String, Timer> byType = new ConcurrentHashMap<>();

    public HopLatencyInterceptor(MeterRegistry registry, String meter) {
        this.registry = registry;
        this.meter = meter;
    }

    @Override
    public ConsumerRecord<Object, Object> intercept(
            ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
        record(record, System.currentTimeMillis());
        return record;
    }

    @Override
    public ConsumerRecords<Object, Object> intercept(
            ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
        long now = System.currentTimeMillis();
        for (ConsumerRecord<Object, Object> record : records) {
            record(record, now);
        }
        return records;
    }

    public void record(ConsumerRecord<?, ?> record, long nowMs) {
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
            return EventType.fromToken(EventRecords.header(record.headers(), EventHeaders.TYPE))
                    .token();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private Timer timer(String type) {
        return byType.computeIfAbsent(
                type,
                t -> Timer.builder(meter)
                        .description("From the record's creation upstream (rv-created-at) to its consumption here")
                        .tag("type", t)
                        .publishPercentileHistogram()
                        .register(registry));
    }
}
