package com.realtimevoice.local;

import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.result.ResultServiceApplication;
import com.realtimevoice.worker.AsrWorkerApplication;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The whole pipeline in one JVM: a real KRaft broker (in process unless an external one is given) and any
 * number of each service, each in its own Spring context with its own port, exactly as they run apart.
 * Used by the embedded default ({@link LocalMain}) and by the end-to-end tests.
 *
 * <p>Longer than the ~400-line guide: its {@link Settings} (every knob the tests and LocalMain turn, as withers) and
 * the start order of broker, database and services are the embedded default's one description of itself.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static final String H2_URL_PREFIX = "jdbc:h2:mem:realtime_voice;";
    /** Numbers the in-memory databases of the clusters started in this JVM (tests start many, one after another). */
    private static final AtomicInteger H2_DATABASES = new AtomicInteger();

    /**
     * The services share one classpath here, so those without a database must not pick up result-service's
     * JPA and Flyway through auto-configuration: the value of {@code spring.autoconfigure.exclude} for them (and for
     * any other service started from this classpath, such as the load bench's baseline server).
     */
    public static final String NO_DATABASE = String.join(
            ",",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration");

    private final Settings settings;
    /** result-service's database settings: {@link Settings#database()}, with an H2 database of this cluster's own */
    private final Map<String, String> database;

    private EmbeddedKafkaKraftBroker broker;
    private String bootstrapServers;
    private final List<ConfigurableApplicationContext> resultServices = new ArrayList<>();
    private final List<ConfigurableApplicationContext> workers = new ArrayList<>();
    private final List<ConfigurableApplicationContext> ingestNodes = new ArrayList<>();
    /** True while the warm-up runs: the ingest nodes' health (and so the old service's /health) says OUT_OF_SERVICE. */
    private final AtomicBoolean warmingUp = new AtomicBoolean();
    /** What the warm-up did, or null when there was none. */
    private volatile WarmUp.Outcome warmUpOutcome;

    /**
     * @param kafkaBootstrapServers external Kafka, or null for an in-process broker
     * @param database              result-service's database settings: spring.datasource.* for H2, or DB_* for MySQL
     * @param firstIngestPort       port of the first ingest node (0 = random), the next ones follow
     */
    public record Settings(
            int ingestNodes,
            int workers,
            int resultServices,
            String kafkaBootstrapServers,
            int partitions,
            Map<String, String> database,
            int firstIngestPort,
            boolean randomServicePorts,
            Map<String, String> extraProperties,
            int firstWorkerPort,
            int firstResultServicePort,
            Duration warmUp) {

        /** H2 in MySQL mode, in memory: the embedded default keeps nothing between runs, like its in-process broker. */
        public static final Map<String, String> H2 = Map.of(
                "spring.datasource.url",
                        H2_URL_PREFIX
                                + "MODE=MySQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                "spring.datasource.username", "sa",
                "spring.datasource.password", "");

        public static Settings defaults() {
            return new Settings(1, 1, 1, null, 12, H2, 8080, false, Map.of(), 8081, 8082, Duration.ZERO);
        }

        public Settings withNodes(int ingest, int worker, int result) {
            return with(d -> {
                d.ingestNodes = ingest;
                d.workers = worker;
                d.resultServices = result;
            });
        }

        public Settings withKafka(String bootstrap) {
            return with(d -> d.kafkaBootstrapServers = bootstrap);
        }

        /** result-service's database: DB_* for MySQL/MariaDB (the service builds its URL), or spring.datasource.*. */
        public Settings withDatabase(Map<String, String> properties) {
            return with(d -> d.database = Map.copyOf(properties));
        }

        /** Every service on a random free port: for tests, which must not collide with a running product. */
        public Settings withRandomPorts() {
            return with(d -> {
                d.firstIngestPort = 0;
                d.randomServicePorts = true;
                d.firstWorkerPort = 0;
                d.firstResultServicePort = 0;
            });
        }

        public Settings withPartitions(int count) {
            return with(d -> d.partitions = count);
        }

        public Settings withFirstIngestPort(int port) {
            return with(d -> d.firstIngestPort = port);
        }

        /** The first worker's and the first result service's port (0 = any free port); the next ones follow. */
        public Settings withServicePorts(int worker, int result) {
            return with(d -> {
                d.firstWorkerPort = worker;
                d.firstResultServicePort = result;
            });
        }

        /**
         * Warm-up traffic through the first ingest node before {@link #start()} returns, its {@code /health} held at
         * OUT_OF_SERVICE meanwhile ({@link WarmUp}); zero (the default, and the tests') for none.
         */
        public Settings withWarmUp(Duration length) {
            return with(d -> d.warmUp = length);
        }

        public Settings withProperties(Map<String, String> extra) {
            Map<String, String> merged = new LinkedHashMap<>(extraProperties);
            merged.putAll(extra);
            return with(d -> d.extraProperties = Collections.unmodifiableMap(merged));
        }

        /** These settings with what {@code change} sets on a copy of their values. */
        private Settings with(Consumer<Draft> change) {
            Draft draft = new Draft(this);
            change.accept(draft);
            return draft.settings();
        }

        /** The values of a {@link Settings}, to change some of them. */
        private static final class Draft {
            int ingestNodes;
            int workers;
            int resultServices;
            String kafkaBootstrapServers;
            int partitions;
            Map<String, String> database;
            int firstIngestPort;
            boolean randomServicePorts;
            Map<String, String> extraProperties;
            int firstWorkerPort;
            int firstResultServicePort;
            Duration warmUp;

            Draft(Settings from) {
                ingestNodes = from.ingestNodes;
                workers = from.workers;
                resultServices = from.resultServices;
                kafkaBootstrapServers = from.kafkaBootstrapServers;
                partitions = from.partitions;
                database = from.database;
                firstIngestPort = from.firstIngestPort;
                randomServicePorts = from.randomServicePorts;
                extraProperties = from.extraProperties;
                firstWorkerPort = from.firstWorkerPort;
                firstResultServicePort = from.firstResultServicePort;
                warmUp = from.warmUp;
            }

            Settings settings() {
                return new Settings(
                        ingestNodes,
                        workers,
                        resultServices,
                        kafkaBootstrapServers,
                        partitions,
                        database,
                        firstIngestPort,
                        randomServicePorts,
                        extraProperties,
                        firstWorkerPort,
                        firstResultServicePort,
                        warmUp);
            }
        }
    }

    public LocalCluster(Settings settings) {
        this.settings = settings;
        this.database = ownH2Database(settings.database());
    }

    /**
     * The in-memory H2 database lives as long as the JVM (DB_CLOSE_DELAY=-1: the pool may close every connection),
     * so under one fixed name a cluster would see the rows of every cluster started before it in the JVM: each
     * cluster gets a database of its own, dropped on {@link #close()}.
     */
    private static Map<String, String> ownH2Database(Map<String, String> database) {
        String url = database.get("spring.datasource.url");
        if (url == null || !url.startsWith(H2_URL_PREFIX)) {
            return database;
        }
        Map<String, String> own = new LinkedHashMap<>(database);
        own.put(
                "spring.datasource.url",
                "jdbc:h2:mem:realtime_voice_" + H2_DATABASES.incrementAndGet() + ";"
                        + url.substring(H2_URL_PREFIX.length()));
        return Collections.unmodifiableMap(own);
    }

    public LocalCluster start() {
        long t0 = System.nanoTime();
        IngestApplication
                .smallWebSocketBuffers(); // before the first Tomcat (result-service's) loads the WebSocket classes
        if (settings.kafkaBootstrapServers() == null) {
            broker = new EmbeddedKafkaKraftBroker(1, settings.partitions());
            broker.afterPropertiesSet();
            bootstrapServers = broker.getBrokersAsString();
            log.info("in-process Kafka (KRaft) broker up at {}", bootstrapServers);
        } else {
            bootstrapServers = settings.kafkaBootstrapServers();
        }
        try {
            startServices();
        } catch (RuntimeException e) {
            close(); // a broker and contexts already up would keep the JVM alive: a failed start must end
            throw e;
        }
        awaitConsumerGroups(Duration.ofSeconds(60));
        if (!settings.warmUp().isZero()) {
            warmUp();
        }
        log.info(
                "local cluster up in {} ms: {} ingest node(s), {} worker(s), {} result service(s)",
                (System.nanoTime() - t0) / 1_000_000,
                ingestNodes.size(),
                workers.size(),
                resultServices.size());
        return this;
    }

    /** Warm-up traffic while /health says OUT_OF_SERVICE; a failed warm-up is logged, never a failed start. */
    private void warmUp() {
        try {
            WarmUp.Outcome o = WarmUp.run("http://127.0.0.1:" + ingestPort(0), settings.warmUp(), 2);
            warmUpOutcome = o;
            log.info(
                    "warm-up: {} sessions, {} finals, {} failed in {} ms (their transcripts deleted)",
                    o.sessions(),
                    o.finals(),
                    o.failed(),
                    o.millis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("warm-up failed; serving without it", e);
        } finally {
            warmingUp.set(false);
        }
    }

    private void startServices() {
        // Consumers first, so nothing produced while the cluster starts waits on an unassigned group.
        for (int i = 0; i < settings.resultServices(); i++) {
            int n = i;
            List<String> db = new ArrayList<>();
            database.forEach((k, v) -> db.add("--" + k + "=" + v));
            int port = port(settings.firstResultServicePort(), i);
            db.add("--server.port=" + port);
            // the cluster's own warm-up traffic (WarmUp) runs the result services' writes too, with every other hop
            db.add("--result-service.warm-up=0s");
            db.addAll(managementPort(i));
            resultServices.add(started(
                    "result-service",
                    n,
                    port,
                    () -> ResultServiceApplication.builder()
                            .profiles("local")
                            .run(args("result-service", n, db.toArray(String[]::new)))));
        }
        for (int i = 0; i < settings.workers(); i++) {
            int n = i;
            int port = port(settings.firstWorkerPort(), i * 10);
            List<String> worker =
                    new ArrayList<>(List.of("--server.port=" + port, "--spring.autoconfigure.exclude=" + NO_DATABASE));
            worker.addAll(managementPort(i));
            workers.add(started(
                    "asr-worker",
                    n,
                    port,
                    () -> AsrWorkerApplication.builder().run(args("asr-worker", n, worker.toArray(String[]::new)))));
        }
        String resultServiceUrl = "http://localhost:" + resultServicePort(0);
        for (int i = 0; i < settings.ingestNodes(); i++) {
            int n = i;
            int port = settings.firstIngestPort() == 0 ? 0 : settings.firstIngestPort() + i;
            List<String> ingest = new ArrayList<>(List.of(
                    "--server.port=" + port,
                    "--spring.autoconfigure.exclude=" + NO_DATABASE,
                    "--ingest.node-id=ingest-" + (char) ('a' + n) + "-"
                            + Long.toHexString(System.nanoTime() & 0xffffff),
                    "--ingest.result-service-url=" + resultServiceUrl));
            ingest.addAll(managementPort(i));
            ingestNodes.add(started(
                    "ingest-service",
                    n,
                    port,
                    () -> IngestApplication.builder()
                            .profiles("local")
                            .initializers(this::holdHealthWhileWarmingUp)
                            .run(args("ingest-service", n, ingest.toArray(String[]::new)))));
        }
    }

    WarmUp.Outcome warmUpOutcome() {
        return warmUpOutcome;
    }

    /** The ingest node's health contributor "warmUp": OUT_OF_SERVICE while the warm-up runs. */
    private void holdHealthWhileWarmingUp(ConfigurableApplicationContext context) {
        if (settings.warmUp().isZero()) {
            return;
        }
        warmingUp.set(true);
        ((GenericApplicationContext) context)
                .registerBean(
                        "warmUp",
                        HealthIndicator.class,
                        () -> () -> warmingUp.get()
                                ? Health.outOfService()
                                        .withDetail("warmUp", "running: docs/performance.md, Cold start")
                                        .build()
                                : Health.up().build());
    }

    /** Runs one service's start; a failure names the service and its port (LocalMain names the variable from it). */
    private static ConfigurableApplicationContext started(
            String service, int index, int port, java.util.function.Supplier<ConfigurableApplicationContext> run) {
        try {
            return run.get();
        } catch (RuntimeException e) {
            throw new ServiceStartException(service, index, port, e);
        }
    }

    /** A service of the cluster did not start; {@link #portInUse()} says whether its port was taken. */
    public static final class ServiceStartException extends IllegalStateException {
        private final String service;
        private final int index;
        private final int port;

        ServiceStartException(String service, int index, int port, Throwable cause) {
            super(service + "-" + index + " failed to start on port " + port + ": " + cause.getMessage(), cause);
            this.service = service;
            this.index = index;
            this.port = port;
        }

        public String service() {
            return service;
        }

        public int index() {
            return index;
        }

        public int port() {
            return port;
        }

        /** The web server's port (or another listen port of the service) was taken: the port in use, or -1. */
        public int portInUse() {
            for (Throwable t = getCause(); t != null; t = t.getCause()) {
                if (t instanceof org.springframework.boot.web.server.PortInUseException in) {
                    return in.getPort();
                }
                if (t instanceof java.net.BindException) {
                    return port;
                }
            }
            return -1;
        }
    }

    private String[] args(String service, int index, String... specific) {
        List<String> args = new ArrayList<>(List.of(specific));
        args.add("--spring.kafka.bootstrap-servers=" + bootstrapServers);
        args.add("--spring.application.name=" + service + "-" + index);
        // Placeholders such as ${ASR_TOPIC_PARTITIONS:12} resolve against command-line properties too.
        args.add("--ASR_TOPIC_PARTITIONS=" + settings.partitions());
        settings.extraProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        return args.toArray(String[]::new);
    }

    private int port(int base, int offset) {
        return settings.randomServicePorts() || base == 0 ? 0 : base + offset;
    }

    /**
     * Every context has its own management (actuator) server: the first of each service on its yml default
     * (INGEST_MANAGEMENT_PORT, ASR_WORKER_MANAGEMENT_PORT, RESULT_SERVICE_MANAGEMENT_PORT), the others (and all of
     * them in tests) on any free port.
     */
    private List<String> managementPort(int index) {
        return settings.randomServicePorts() || index > 0 ? List.of("--management.server.port=0") : List.of();
    }

    /**
     * Waits until every consumer group has settled, so that a session started now is not moved between workers by
     * a late rebalance: each listener thread of the group has partitions, or all of them are taken. A concurrent
     * container has partitions as soon as its first thread does; the ones its later threads take move (and are
     * replayed) then, so threads are counted, not containers.
     */
    private void awaitConsumerGroups(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConfigurableApplicationContext> all = new ArrayList<>(resultServices);
        all.addAll(workers);
        all.addAll(ingestNodes);
        while (true) {
            Map<String, GroupState> groups = new LinkedHashMap<>();
            for (ConfigurableApplicationContext ctx : all) {
                for (MessageListenerContainer c :
                        ctx.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
                    List<? extends MessageListenerContainer> threads =
                            c instanceof ConcurrentMessageListenerContainer<?, ?> concurrent
                                    ? concurrent.getContainers()
                                    : List.of(c);
                    GroupState group = groups.computeIfAbsent(
                            c.getGroupId() + " (" + c.getListenerId() + ")", g -> new GroupState());
                    group.threads += Math.max(1, threads.size());
                    for (MessageListenerContainer thread : threads) {
                        int owned = thread.getAssignedPartitions() == null
                                ? 0
                                : thread.getAssignedPartitions().size();
                        group.partitions += owned;
                        group.threadsWithPartitions += owned > 0 ? 1 : 0;
                    }
                }
            }
            List<String> waiting = groups.entrySet().stream()
                    .filter(g -> !g.getValue().settled())
                    .map(g -> g.getKey() + ": " + g.getValue())
                    .toList();
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka consumer groups not settled after " + timeout + ": " + waiting);
            }
            sleep(200);
        }
    }

    /** One consumer group's listener threads across the cluster, as seen by {@link #awaitConsumerGroups}. */
    private static final class GroupState {
        int threads;
        int threadsWithPartitions;
        int partitions;

        /** Some partitions are owned, and by as many threads as can own one (fewer partitions than threads is allowed). */
        boolean settled() {
            return partitions > 0 && threadsWithPartitions >= Math.min(threads, partitions);
        }

        @Override
        public String toString() {
            return threadsWithPartitions + " of " + threads + " listener threads own " + partitions + " partitions";
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<ConfigurableApplicationContext> ingestNodes() {
        return ingestNodes;
    }

    public List<ConfigurableApplicationContext> workers() {
        return workers;
    }

    public List<ConfigurableApplicationContext> resultServices() {
        return resultServices;
    }

    public int ingestPort(int index) {
        return ((WebServerApplicationContext) ingestNodes.get(index))
                .getWebServer()
                .getPort();
    }

    public int workerPort(int index) {
        return ((WebServerApplicationContext) workers.get(index)).getWebServer().getPort();
    }

    public int resultServicePort(int index) {
        return ((WebServerApplicationContext) resultServices.get(index))
                .getWebServer()
                .getPort();
    }

    /** The port of a service's management server (actuator: health probes, /actuator/prometheus). */
    public static int managementPort(ConfigurableApplicationContext service) {
        Integer port = service.getEnvironment().getProperty("local.management.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException(service.getId() + " has no management server");
        }
        return port;
    }

    @Override
    public void close() {
        // Reverse order of start: edges first, the broker last.
        closeAll(ingestNodes);
        closeAll(workers);
        closeAll(resultServices);
        dropH2Database();
        if (broker != null) {
            broker.destroy();
            broker = null;
        }
    }

    private void dropH2Database() {
        if (database == settings.database()) {
            return; // not an in-memory database of ours
        }
        try (Connection c = DriverManager.getConnection(
                        database.get("spring.datasource.url"),
                        database.get("spring.datasource.username"),
                        database.get("spring.datasource.password"));
                Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        } catch (SQLException e) {
            log.warn("dropping the in-memory database failed: {}", e.getMessage());
        }
    }

    private static void closeAll(List<ConfigurableApplicationContext> contexts) {
        for (ConfigurableApplicationContext ctx : contexts) {
            try {
                ctx.close();
            } catch (RuntimeException e) {
                log.warn("closing {} failed: {}", ctx.getId(), e.getMessage());
            }
        }
        contexts.clear();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
