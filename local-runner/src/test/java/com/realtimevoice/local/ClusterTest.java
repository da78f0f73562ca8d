package com.realtimevoice.local;

import com.realtimevoice.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A test class against one {@link LocalCluster}: its {@code @BeforeAll} calls {@link #start}; the cluster is closed
 * after the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterTest {

    protected LocalCluster cluster;
    protected PipelineScenarios scenarios;

    /** The default cluster on random ports, with this database: what the tests' clusters start from. */
    protected static LocalCluster.Settings settings(TestDatabase database) {
        return LocalCluster.Settings.defaults().withRandomPorts().withDatabase(database.springProperties());
    }

    /** Starts the cluster with these settings, and the scenarios that run against it. */
    protected void start(LocalCluster.Settings settings) {
        cluster = new LocalCluster(settings).start();
        scenarios = new PipelineScenarios(cluster);
    }

    /**
     * Every record on {@code topic}, read from the beginning by a consumer of its own: until three polls in a row
     * bring nothing more once there was something, or for 10 s.
     */
    protected List<ConsumerRecord<String, byte[]>> recordsOn(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "inspect-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && emptyPolls < 3) {
                int before = found.size();
                consumer.poll(Duration.ofMillis(500)).forEach(found::add);
                emptyPolls = found.size() == before && !found.isEmpty() ? emptyPolls + 1 : 0;
            }
        }
        return found;
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
