package com.realtimevoice.faults.scenario;

import com.realtimevoice.events.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Records no consumer can decode, as a buggy or hostile producer would write them, and the dead-letter count. */
final class CorruptRecords {

    private CorruptRecords() {}

    /** Publishes each kind of corrupt record onto each topic, keyed by the given (poisoned) live sessions and by strangers. */
    static int publish(String bootstrap, List<String> topics, List<String> liveSessions) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            int n = 0;
            for (String topic : topics) {
                List<String> keys = new ArrayList<>(liveSessions);
                keys.add(UUID.randomUUID().toString());
                for (String key : keys) {
                    for (ProducerRecord<String, byte[]> r : corrupt(topic, key)) {
                        producer.send(r).get(10, TimeUnit.SECONDS);
                        n++;
                    }
                }
            }
            return n;
        }
    }

    private static List<ProducerRecord<String, byte[]>> corrupt(String topic, String key) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        // no headers at all, random bytes
        out.add(new ProducerRecord<>(
                topic, key, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1, 2}));
        // a known type whose value is not JSON
        out.add(record(topic, key, "session.started", "{\"sessionId\":".getBytes(StandardCharsets.UTF_8)));
        // a type nobody knows
        out.add(record(topic, key, "no.such.event", "{}".getBytes(StandardCharsets.UTF_8)));
        // an audio chunk without its seq / offset / format headers
        out.add(record(topic, key, "audio.chunk", new byte[320]));
        // a final with no value (a tombstone)
        out.add(record(topic, key, "transcript.final", null));
        return out;
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, String type, byte[] value) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        r.headers().add(EventHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.SESSION_ID, key.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** Records on every dead-letter topic (end offsets summed). */
    static long deadLettered(Admin admin) throws Exception {
        Set<String> dlts = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                .filter(t -> t.endsWith(".dlt"))
                .collect(Collectors.toSet());
        if (dlts.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> request =
                admin.describeTopics(dlts).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .flatMap(d -> d.partitions().stream().map(pi -> new TopicPartition(d.name(), pi.partition())))
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(i -> i.offset())
                .sum();
    }
}
