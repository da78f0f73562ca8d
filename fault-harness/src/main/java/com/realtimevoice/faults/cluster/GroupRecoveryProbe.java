package com.realtimevoice.faults.cluster;

import com.realtimevoice.faults.process.ChildProcess;
import com.realtimevoice.faults.process.ProcessRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How soon a consumer group gives a lost member's partitions to the survivor, per group protocol and membership
 * (issue 18: evaluate static membership and KIP-848's consumer protocol on the client and broker we use). Two member
 * JVMs share a 12-partition topic on a real KRaft broker JVM; one is killed (-9) or stopped (SIGTERM), and the time
 * until the survivor owns every partition is measured from the survivor's own rebalance callbacks. docs/reliability.md
 * has the results.
 *
 * <pre>
 * java -cp "$(cat fault-harness/target/harness.classpath):fault-harness/target/classes" \
 *     com.realtimevoice.faults.cluster.GroupRecoveryProbe [rounds] [variant name filter, e.g. "classic"]
 * </pre>
 */
public final class GroupRecoveryProbe {

    static final String TOPIC = "probe.v1";
    static final int PARTITIONS = 12;

    /** One way of running the group: the members' consumer properties and the broker it needs. */
    record Variant(
            String name, boolean consumerProtocolBroker6s, Map<String, String> consumer, boolean staticMembers) {}

    private GroupRecoveryProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path repo = Path.of("").toAbsolutePath();
        Path root = repo.resolve("fault-harness/target/group-probe");
        ProcessRegistry.init(root);
        String only = args.length > 1 ? args[1] : "";
        Map<String, String> classic = classic(500);
        List<Variant> all = List.of(
                new Variant("classic, dynamic members, heartbeat 0.5 s (shipped)", false, classic, false),
                new Variant("classic, dynamic members, heartbeat 1 s", false, classic(1000), false),
                new Variant("classic, static members (group.instance.id)", false, classic, true),
                new Variant("consumer (KIP-848), broker defaults", false, Map.of("group.protocol", "consumer"), false),
                new Variant(
                        "consumer (KIP-848), broker session 6 s, heartbeat 1 s",
                        true,
                        Map.of("group.protocol", "consumer"),
                        false),
                new Variant(
                        "consumer (KIP-848), static members, broker session 6 s",
                        true,
                        Map.of("group.protocol", "consumer"),
                        true));
        // the second argument, if any, keeps the variants whose name contains it ("classic": the fast ones)
        List<Variant> variants =
                all.stream().filter(v -> v.name().contains(only)).toList();
        String classpath = Cluster.harnessClasspath(repo);
        List<String> results = new ArrayList<>();
        for (boolean kip848Broker : new boolean[] {false, true}) {
            List<String> extra = kip848Broker
                    ? List.of(
                            "group.consumer.min.session.timeout.ms=6000",
                            "group.consumer.session.timeout.ms=6000",
                            "group.consumer.min.heartbeat.interval.ms=1000",
                            "group.consumer.heartbeat.interval.ms=1000")
                    : List.of();
            KafkaBroker broker = new KafkaBroker(
                    root.resolve(kip848Broker ? "kafka-848" : "kafka"),
                    classpath,
                    root.toAbsolutePath().toString(),
                    extra);
            broker.create();
            broker.awaitReady(Duration.ofSeconds(120));
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            int n = 0;
            if (variants.stream().noneMatch(v -> v.consumerProtocolBroker6s() == kip848Broker)) {
                broker.process().kill();
                continue;
            }
            for (Variant v : variants) {
                if (v.consumerProtocolBroker6s() != kip848Broker) {
                    continue;
                }
                for (String fault : List.of("kill -9", "SIGTERM")) {
                    for (int r = 0; r < rounds; r++) {
                        String group = "probe-" + kip848Broker + "-" + (n++);
                        double s = round(v, fault, group, broker, classpath, root);
                        String line = String.format(
                                java.util.Locale.ROOT, "%s | %s | round %d | %.1f s", v.name(), fault, r + 1, s);
                        System.out.println("RESULT " + line);
                        results.add(line);
                    }
                }
            }
            broker.process().kill();
        }
        ProcessRegistry.stopAll();
        System.out.println("\n" + String.join("\n", results));
        Files.writeString(root.resolve("results.txt"), String.join("\n", results) + "\n", StandardCharsets.UTF_8);
    }

    /** The shipped classic group's consumer settings, with this heartbeat. */
    private static Map<String, String> classic(int heartbeatMs) {
        return Map.of(
                "group.protocol",
                "classic",
                "session.timeout.ms",
                "6000",
                "heartbeat.interval.ms",
                Integer.toString(heartbeatMs),
                "partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    }

    /** Seconds from the fault to the survivor owning every partition (negative: never, within 90 s). */
    private static double round(Variant v, String fault, String group, KafkaBroker broker, String classpath, Path root)
            throws Exception {
        List<ChildProcess> members = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> cmd = new ArrayList<>(List.of(
                    Cluster.java(),
                    "-Xmx128m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Dfaults.root=" + root.toAbsolutePath(),
                    "-cp",
                    classpath,
                    Member.class.getName(),
                    broker.bootstrapServers(),
                    group));
            v.consumer().forEach((k, val) -> cmd.add(k + "=" + val));
            if (v.staticMembers()) {
                cmd.add("group.instance.id=" + group + "-member-" + i);
            }
            Path log = root.resolve("logs").resolve(group + "-" + i + ".log");
            logs.add(log);
            ChildProcess p = new ChildProcess(group + "-" + i, cmd, Map.of(), log, root);
            members.add(p.start());
        }
        // both members hold partitions: the group is settled
        long deadline = System.currentTimeMillis() + 90_000;
        while (!(owned(logs.get(0), 0) > 0
                && owned(logs.get(1), 0) > 0
                && owned(logs.get(0), 0) + owned(logs.get(1), 0) == PARTITIONS)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("group " + group + " did not settle; see " + logs);
            }
            Cluster.sleep(200);
        }
        Cluster.sleep(3000);
        long t0 = System.currentTimeMillis();
        if (fault.equals("kill -9")) {
            members.get(0).kill();
        } else {
            members.get(0).terminate(Duration.ofSeconds(30));
        }
        double seconds = -1;
        deadline = t0 + 90_000;
        while (System.currentTimeMillis() < deadline) {
            long at = ownedAllAt(logs.get(1), t0);
            if (at > 0) {
                seconds = (at - t0) / 1000.0;
                break;
            }
            Cluster.sleep(100);
        }
        members.get(1).terminate(Duration.ofSeconds(30));
        return seconds;
    }

    /** The survivor's count of owned partitions in its last line at or after {@code since}, or 0. */
    private static int owned(Path log, long since) throws Exception {
        int owned = 0;
        for (String line : lines(log)) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[0].equals("OWNED") && Long.parseLong(f[1]) >= since) {
                owned = Integer.parseInt(f[2]);
            }
        }
        return owned;
    }

    private static long ownedAllAt(Path log, long since) throws Exception {
        for (String line : lines(log)) {
            String[] f = line.split(" ");
            if (f.length == 3
                    && f[0].equals("OWNED")
                    && Long.parseLong(f[1]) >= since
                    && Integer.parseInt(f[2]) == PARTITIONS) {
                return Long.parseLong(f[1]);
            }
        }
        return -1;
    }

    private static List<String> lines(Path log) throws Exception {
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** A group member: prints "OWNED epochMillis count" whenever its assignment changes; leaves the group on SIGTERM. */
    public static final class Member {

        public static void main(String[] args) throws Exception {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            for (int i = 2; i < args.length; i++) {
                p.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            }
            Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
            CountDownLatch closed = new CountDownLatch(1);
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                consumer.wakeup();
                try {
                    closed.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }));
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    owned.removeAll(partitions);
                    print(owned);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    owned.addAll(partitions);
                    print(owned);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            try {
                while (!main.isInterrupted()) {
                    consumer.poll(Duration.ofMillis(100));
                }
            } catch (WakeupException stopping) {
                // SIGTERM: close below leaves the group
            } finally {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
                closed.countDown();
            }
        }

        private static void print(Set<TopicPartition> owned) {
            System.out.println("OWNED " + System.currentTimeMillis() + " " + owned.size());
            System.out.flush();
        }
    }
}
