package com.realtimevoice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.TranscriptPartial;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class HopLatencyInterceptorTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HopLatencyInterceptor interceptor = new HopLatencyInterceptor(registry, "test.hop.latency");

    @Test
    void measuresFromTheUpstreamCreationTimeTaggedByEventType() {
        ProducerRecord<String, byte[]> sent = EventRecords.toRecord("t", new TranscriptPartial("s-1", 0, "hi", 1L));
        ConsumerRecord<Object, Object> received = new ConsumerRecord<>("t", 0, 0, sent.key(), sent.value());
        sent.headers().forEach(h -> received.headers().add(h));
        long created = EventRecords.createdAt(sent.headers());

        interceptor.record(received, created + 250);

        Timer timer = registry.find("test.hop.latency")
                .tag("type", "transcript.partial")
                .timer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
    }

    @Test
    void aRecordWithoutItsHeadersIsLeftToTheListener() {
        ConsumerRecord<Object, Object> bare = new ConsumerRecord<>("t", 0, 0, "k", new byte[0]);
        assertThat(bare.headers()).isEqualTo(new RecordHeaders());
        interceptor.intercept(bare, null);
        assertThat(registry.find("test.hop.latency").timers()).isEmpty();
    }
}
