package com.realtimevoice.faults.cluster;

import com.realtimevoice.faults.process.ChildProcess;
import com.realtimevoice.faults.process.ProcessRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product as separate processes: a Kafka broker JVM, a MariaDB server, and N of each service, each
 * {@code java -jar} of the module's runnable jar with environment variables, as deployed.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    public static final String WORKER_GROUP = "asr-worker";
    /**
     * result-service's group: RESULT_SERVICE_GROUP (result-service) is documented, but the listener's id
     * (result-intake) is what Spring Kafka uses as the group id; whichever exists is the one.
     */
    public static final List<String> RESULT_GROUPS = List.of("result-service", "result-intake");
    /** Listener threads per worker process: each is a member of the worker group. */
    static final int WORKER_CONCURRENCY = 2;

    /**
     * How many of each service, and their heap. Nothing else: every Kafka setting and timeout is the shipped
     * default of the service's own yml (ShippedSettingsTest holds the harness to that).
     */
    public record Settings(int ingestNodes, int workers, int resultServices, String serviceHeap) {

        public static Settings defaults() {
            return new Settings(2, 2, 2, "384m");
        }
    }

    public static final String JWT_SECRET = "fault-harness-jwt-secret-0123456789abcdef0123456789";
    public static final String RESUME_SECRET = "fault-harness-resume-secret-0123456789abcdef01234567";

    private final Settings settings;
    private final Path repo;
    private final Path root;
    private final MariaDb db;
    private final KafkaBroker broker;
    private final List<ServiceNode> ingestNodes = new ArrayList<>();
    private final List<ServiceNode> workers = new ArrayList<>();
    private final List<ServiceNode> resultServices = new ArrayList<>();
    private Admin admin;

    /**
     * @param repo the repository root (the services' jars are under it)
     * @param root where data directories and process logs go (under fault-harness/target)
     */
    public Cluster(Settings settings, Path repo, Path root) throws IOException {
        this.settings = settings;
        this.repo = repo;
        this.root = root;
        ProcessRegistry.init(root);
        String marker = root.toAbsolutePath().toString();
        this.db = new MariaDb(root.resolve("mariadb"));
        this.broker = new KafkaBroker(root.resolve("kafka"), harnessClasspath(repo), marker);
        List<Integer> resultPorts = new ArrayList<>();
        for (int i = 0; i < settings.resultServices(); i++) {
            resultPorts.add(Ports.free());
        }
        for (int i = 0; i < settings.resultServices(); i++) {
            int port = resultPorts.get(i);
            Map<String, String> env = commonEnv();
            env.put("RESULT_SERVICE_PORT", Integer.toString(port));
            env.put("AUTH_JWT_SECRET", JWT_SECRET);
            env.put("DB_HOST", "127.0.0.1");
            env.put("DB_PORT", Integer.toString(db.port()));
            env.put("DB_NAME", MariaDb.DATABASE);
            env.put("DB_USER", "root");
            env.put("DB_PASSWORD", "");
            resultServices.add(
                    service(ServiceNode.Kind.RESULT, "result-" + (i + 1), "result-service", port, env, List.of()));
        }
        for (int i = 0; i < settings.workers(); i++) {
            int port = Ports.free();
            Map<String, String> env = commonEnv();
            env.put("ASR_WORKER_PORT", Integer.toString(port));
            env.put("ASR_WORKER_CONCURRENCY", Integer.toString(WORKER_CONCURRENCY));
            // the bench-echo engine, for the load beside the speech sessions in the *-under-load scenarios
            env.put("ASR_BENCH_ENGINE_ENABLED", "true");
            workers.add(service(ServiceNode.Kind.WORKER, "worker-" + (i + 1), "asr-worker", port, env, List.of()));
        }
        for (int i = 0; i < settings.ingestNodes(); i++) {
            int port = Ports.free();
            String nodeId = "ingest-" + (char) ('a' + i);
            Map<String, String> env = commonEnv();
            env.put("PORT", Integer.toString(port));
            env.put("INGEST_NODE_ID", nodeId);
            env.put("AUTH_JWT_SECRET", JWT_SECRET);
            env.put("INGEST_RESUME_SECRET", RESUME_SECRET);
            env.put("RESULT_SERVICE_URL", "http://127.0.0.1:" + resultPorts.get(0));
            ingestNodes.add(service(ServiceNode.Kind.INGEST, nodeId, "ingest-service", port, env, List.of()));
        }
    }

    private Map<String, String> commonEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        return env;
    }

    private ServiceNode service(
            ServiceNode.Kind kind,
            String name,
            String module,
            int port,
            Map<String, String> env,
            List<String> extraArgs) {
        Path jar = execJar(repo, module);
        List<String> cmd = new ArrayList<>(List.of(
                java(),
                "-Xmx" + settings.serviceHeap(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dfaults.root=" + root.toAbsolutePath(),
                "-jar",
                jar.toString()));
        cmd.addAll(extraArgs);
        // probes are on the management port (actuator), never on the service's own port
        int managementPort = Ports.free();
        env.put(
                switch (kind) {
                    case INGEST -> "INGEST_MANAGEMENT_PORT";
                    case WORKER -> "ASR_WORKER_MANAGEMENT_PORT";
                    case RESULT -> "RESULT_SERVICE_MANAGEMENT_PORT";
                },
                Integer.toString(managementPort));
        return new ServiceNode(
                kind,
                name,
                port,
                managementPort,
                new ChildProcess(name, cmd, env, root.resolve("logs").resolve(name + ".log"), root));
    }

    public Cluster start() throws Exception {
        long t0 = System.nanoTime();
        db.create();
        broker.create();
        db.awaitReady(Duration.ofSeconds(60));
        broker.awaitReady(Duration.ofSeconds(90));
        log.info("MariaDB on port {} and Kafka at {} up", db.port(), broker.bootstrapServers());
        // Result services first: one of them runs Flyway before the others look at the schema.
        resultServices.get(0).start();
        resultServices.get(0).awaitReady(Duration.ofSeconds(180));
        allServices().stream().filter(s -> !s.process().alive()).forEach(ServiceNode::start);
        for (ServiceNode s : allServices()) {
            s.awaitReady(Duration.ofSeconds(240));
        }
        awaitGroups(Duration.ofSeconds(120));
        log.info("cluster up in {} s: {}", (System.nanoTime() - t0) / 1_000_000_000, allServices());
        return this;
    }

    /** Every service running and ready, the broker and the database up, both shared consumer groups settled. */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ServiceNode s : allServices()) {
            s.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        awaitGroups(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /**
     * Waits until the worker and result-service groups are stable with one member per running instance, each
     * holding partitions: a session started now stays where it starts unless a fault moves it.
     */
    public void awaitGroups(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                java.util.Set<String> existing = new java.util.HashSet<>();
                admin().listGroups().all().get(10, TimeUnit.SECONDS).forEach(g -> existing.add(g.groupId()));
                String resultGroup = RESULT_GROUPS.stream()
                        .filter(existing::contains)
                        .findFirst()
                        .orElse(null);
                if (!existing.contains(WORKER_GROUP) || resultGroup == null) {
                    throw new IllegalStateException("groups so far: " + existing);
                }
                Map<String, ConsumerGroupDescription> groups = admin().describeConsumerGroups(
                                List.of(WORKER_GROUP, resultGroup))
                        .all()
                        .get(10, TimeUnit.SECONDS);
                boolean workersOk = settled(groups.get(WORKER_GROUP), running(workers));
                boolean resultsOk = settled(groups.get(resultGroup), running(resultServices));
                if (workersOk && resultsOk) {
                    return;
                }
                last = groups.values().stream()
                        .map(g -> g.groupId() + ":" + g.groupState() + "/"
                                + g.members().size())
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("");
            } catch (Exception e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("consumer groups not settled within " + timeout + ": " + last);
            }
            sleep(500);
        }
    }

    private static boolean settled(ConsumerGroupDescription group, int members) {
        if (group == null
                || group.groupState() != GroupState.STABLE
                || group.members().size() != members) {
            return false;
        }
        for (MemberDescription m : group.members()) {
            if (m.assignment().topicPartitions().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static int running(List<ServiceNode> nodes) {
        int n = 0;
        for (ServiceNode node : nodes) {
            // a worker runs one consumer per listener thread (concurrency), each a member of the group
            if (node.process().alive()) {
                n += node.kind() == ServiceNode.Kind.WORKER ? WORKER_CONCURRENCY : 1;
            }
        }
        return n;
    }

    public synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
            admin = Admin.create(p);
        }
        return admin;
    }

    public Settings settings() {
        return settings;
    }

    public MariaDb db() {
        return db;
    }

    public KafkaBroker broker() {
        return broker;
    }

    public List<ServiceNode> ingestNodes() {
        return ingestNodes;
    }

    public List<ServiceNode> workers() {
        return workers;
    }

    public List<ServiceNode> resultServices() {
        return resultServices;
    }

    public List<ServiceNode> allServices() {
        return Stream.of(resultServices, workers, ingestNodes)
                .flatMap(List::stream)
                .toList();
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(2));
            } catch (RuntimeException ignored) {
                // the broker may be gone
            }
        }
        ProcessRegistry.stopAll();
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path execJar(Path repo, String module) {
        Path target = repo.resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().startsWith(module + "-")
                            && p.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst()
                    .orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "no runnable jar " + target + "/" + module + "-*-exec.jar: build it first "
                            + "(./mvnw -B -pl fault-harness -am install -DskipTests)",
                    e);
        }
    }

    /** The harness module's own runtime classpath (written by the build), on which the broker JVM runs. */
    static String harnessClasspath(Path repo) throws IOException {
        Path module = repo.resolve("fault-harness");
        Path file = module.resolve("target/harness.classpath");
        if (!Files.exists(file)) {
            throw new IllegalStateException(
                    file + " is missing: build the module first (./mvnw -B -pl fault-harness -am install -DskipTests)");
        }
        return Files.readString(file, StandardCharsets.UTF_8).trim()
                + java.io.File.pathSeparator
                + module.resolve("target/classes");
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
