package com.realtimevoice.testsupport;

import java.nio.file.Path;
import java.util.List;

/**
 * A single-node KRaft Kafka (broker and controller in one JVM, {@code kafka.Kafka}) on 127.0.0.1, as the tests and
 * the fault harness start one in a process of its own so that it can be killed and started again.
 */
public final class SingleNodeKafka {

    private SingleNodeKafka() {}

    /**
     * Its server.properties lines: every internal topic with one replica, {@code offsetsPartitions} partitions for
     * the consumer offsets, no initial rebalance delay.
     */
    public static List<String> serverProperties(int port, int controllerPort, Path dataDir, int offsetsPartitions) {
        return List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=" + offsetsPartitions,
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0");
    }
}
