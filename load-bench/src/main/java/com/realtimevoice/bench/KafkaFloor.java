package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code kafka-floor}: what the pipeline's busiest hop costs with nothing else around it. One JVM runs the same
 * in-process KRaft broker as the embedded default, one producer with the ingest node's settings (acks all,
 * idempotence, linger) sending audio-sized records at a fixed rate keyed by session, and consumers with the worker's
 * (max.poll.records, commits every 100 ms without waiting) that only timestamp what they get. The CPU of each thread
 * group over the measured window, divided by the records, is the floor of that hop: no socket, no engine, no
 * database, no Spring. Goal 4 of docs/performance.md asks for 20,000 chunks/s through this hop and two more.
 *
 * <p>Longer than the ~400-line guide: a self-contained measuring tool (options, pacer, consumers, per-thread CPU,
 * report) with nothing shared elsewhere; split, its parts would only be used here.
 */
final class KafkaFloor {

    static final String USAGE = """
            kafka-floor [options]: CPU per record of producer -> in-process broker -> consumers, nothing else
              --rate N            records per second (default 20000: goal 4's 2,000 streams x 10 chunks/s)
              --bytes B           value size (default 3200: 100 ms of 16 kHz 16-bit audio)
              --keys K            distinct keys, i.e. sessions (default 2000)
              --partitions P      partitions of the topic (default 12, the pipeline's)
              --consumers C       consumer threads in one group (default 2, the worker's listener threads)
              --linger-ms L       producer linger (default 5, the ingest node's)
              --max-in-flight N   producer max.in.flight.requests.per.connection (default 5, Kafka's)
              --batch-bytes B     producer batch.size (default 65536, the ingest node's; Kafka's own is 16384)
              --fetch-min-bytes F --fetch-max-wait-ms W   consumer fetch batching (default 1 and 500, Kafka's)
              --warmup S --duration S   seconds before measuring, seconds measured (default 15 and 20)
              --flushes N         producer flushes per second from another thread, as the ingest node flushes for
                                  each session start and end (default 0; ~2 x streams / 7 s session)
              --broker-io-threads N --broker-network-threads N   the in-process broker's num.io.threads and
                                  num.network.threads (default 8 and 3, Kafka's)
              --bootstrap HOST:PORT     an external broker instead (its CPU is then not in the figures)
              --json FILE         also write the report as JSON there
            """;

    private static final String TOPIC = "bench.floor.audio";
    // Latency goes into a histogram per consumer thread, not Stats: Stats keeps every sample behind a lock and in
    // whole ms, and this tool measures CPU at 20,000 records/s with sub-millisecond hops.
    private static final int BUCKET_US = 100;
    private static final int BUCKETS = 50_000; // 100 us buckets up to 5 s

    private KafkaFloor() {}

    /** The options, checked. */
    record Options(
            int rate,
            int bytes,
            int keys,
            int partitions,
            int consumers,
            int lingerMs,
            int maxInFlight,
            int batchBytes,
            int fetchMinBytes,
            int fetchMaxWaitMs,
            int warmupSeconds,
            int durationSeconds,
            int flushesPerSecond,
            int brokerIoThreads,
            int brokerNetworkThreads,
            String bootstrap,
            String json) {

        static Options from(Args a) throws Args.UsageException {
            Options o = new Options(
                    a.integer("rate", 20_000),
                    a.integer("bytes", 3200),
                    a.integer("keys", 2000),
                    a.integer("partitions", 12),
                    a.integer("consumers", 2),
                    a.integer("linger-ms", 5),
                    a.integer("max-in-flight", 5),
                    a.integer("batch-bytes", 65536),
                    a.integer("fetch-min-bytes", 1),
                    a.integer("fetch-max-wait-ms", 500),
                    a.integer("warmup", 15),
                    a.integer("duration", 20),
                    a.integer("flushes", 0),
                    a.integer("broker-io-threads", 8),
                    a.integer("broker-network-threads", 3),
                    a.get("bootstrap", null),
                    a.get("json", null));
            if (o.rate <= 0
                    || o.keys <= 0
                    || o.partitions <= 0
                    || o.consumers <= 0
                    || o.durationSeconds <= 0
                    || o.flushesPerSecond < 0
                    || o.brokerIoThreads <= 0
                    || o.brokerNetworkThreads <= 0
                    || o.bytes < Long.BYTES) {
                throw new Args.UsageException("--rate, --keys, --partitions, --consumers, --duration and the broker's"
                        + " threads must be positive, --flushes >= 0, --bytes >= 8");
            }
            return o;
        }
    }

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args.ForTool parsed = Args.forTool(argv, USAGE, out, err);
        if (parsed.args() == null) {
            return parsed.exitCode();
        }
        Options o;
        try {
            o = Options.from(parsed.args());
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        // the broker and clients log every partition and config at INFO; only trouble is worth reading here
        for (String logger : List.of("org.apache.kafka", "kafka", "state.change.logger", "org.springframework")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(logger))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
        EmbeddedKafkaKraftBroker broker = null;
        String bootstrap = o.bootstrap;
        if (bootstrap == null) {
            broker = new EmbeddedKafkaKraftBroker(1, o.partitions, TOPIC);
            broker.brokerProperty("num.io.threads", o.brokerIoThreads);
            broker.brokerProperty("num.network.threads", o.brokerNetworkThreads);
            broker.afterPropertiesSet();
            bootstrap = broker.getBrokersAsString();
        }
        out.printf(
                "kafka-floor: %,d records/s of %,d B, %d keys, %d partitions, %d consumers, linger %d ms, in flight %d, batch %,d B,"
                        + " fetch min %,d B / max wait %d ms, %d flushes/s, broker %s%n",
                o.rate,
                o.bytes,
                o.keys,
                o.partitions,
                o.consumers,
                o.lingerMs,
                o.maxInFlight,
                o.batchBytes,
                o.fetchMinBytes,
                o.fetchMaxWaitMs,
                o.flushesPerSecond,
                broker == null
                        ? bootstrap
                        : "in-process (" + o.brokerIoThreads + " io, " + o.brokerNetworkThreads + " network threads)");
        try {
            return run(out, o, bootstrap, broker != null);
        } finally {
            if (broker != null) {
                broker.destroy();
            }
        }
    }

    private static int run(PrintStream out, Options o, String bootstrap, boolean brokerInProcess) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicLong received = new AtomicLong();
        List<long[]> histograms = new ArrayList<>();
        List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < o.consumers; c++) {
            KafkaConsumer<String, byte[]> consumer =
                    new KafkaConsumer<>(consumerProps(bootstrap, o.fetchMinBytes, o.fetchMaxWaitMs));
            consumers.add(consumer);
            long[] histogram = new long[BUCKETS];
            histograms.add(histogram);
            Thread t =
                    new Thread(() -> consume(consumer, running, measuring, received, histogram), "floor-consumer-" + c);
            threads.add(t);
            t.start();
        }
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(bootstrap, o));
        AtomicLong sent = new AtomicLong();
        Thread pacer = new Thread(() -> produce(producer, o.rate, o.bytes, o.keys, running, sent), "floor-producer");
        pacer.start();
        Thread flusher = new Thread(() -> flush(producer, o.flushesPerSecond, running), "floor-flusher");
        if (o.flushesPerSecond > 0) {
            flusher.start();
        }

        for (int s = 0; s < o.warmupSeconds; s++) {
            Thread.sleep(1000);
            out.printf("[warm-up %2ds] sent %,d received %,d%n", s + 1, sent.get(), received.get());
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu0 = cpuByGroup(mx);
        long process0 = processCpuNanos();
        long sent0 = sent.get();
        long received0 = received.get();
        long t0 = System.nanoTime();
        measuring.set(true);
        for (int s = 0; s < o.durationSeconds; s++) {
            Thread.sleep(1000);
            out.printf("[measure %2ds] sent %,d received %,d%n", s + 1, sent.get() - sent0, received.get() - received0);
        }
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> cpu1 = cpuByGroup(mx);
        long process1 = processCpuNanos();
        long records = received.get() - received0;
        Map<String, Object> requests = new LinkedHashMap<>();
        requests.put("produce requests/s", metric(producer.metrics(), "producer-metrics", "request-rate"));
        double fetches = 0;
        for (KafkaConsumer<String, byte[]> consumer : consumers) {
            fetches += metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-rate");
        }
        requests.put("fetch requests/s", fetches);

        running.set(false);
        pacer.join(5000);
        flusher.join(5000);
        for (Thread t : threads) {
            t.join(5000);
        }
        producer.close(Duration.ofSeconds(5));

        long[] merged = new long[BUCKETS];
        for (long[] h : histograms) {
            for (int i = 0; i < BUCKETS; i++) {
                merged[i] += h[i];
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "options", o); // so that a saved report says what it measured (linger, batch, flushes, broker threads)
        report.put("rate target", o.rate);
        report.put("records/s sent", (sent.get() - sent0) / seconds); // approximate: the pacer ran on a little
        report.put("records/s received", records / seconds);
        report.put("value bytes", o.bytes);
        Map<String, Object> latency = new LinkedHashMap<>(); // in this order in the JSON, unlike Map.of
        latency.put("p50", percentile(merged, 0.50));
        latency.put("p95", percentile(merged, 0.95));
        latency.put("p99", percentile(merged, 0.99));
        report.put("latency ms (send -> consumer)", latency);
        report.putAll(requests);
        Map<String, Object> groups = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Long> e : sortedDelta(cpu0, cpu1).entrySet()) {
            double pct = e.getValue() / 1e9 / seconds * 100;
            total += pct;
            if (pct >= 0.5) {
                Map<String, Object> group = new LinkedHashMap<>();
                group.put("% of a core", round(pct));
                group.put("us per record", round(e.getValue() / 1e3 / Math.max(1, records)));
                groups.put(e.getKey(), group);
            }
        }
        report.put("threads", groups);
        report.put("java threads total % of a core", round(total));
        double processPct = (process1 - process0) / 1e9 / seconds * 100;
        report.put("process total % of a core", round(processPct));
        report.put("process us per record", round((process1 - process0) / 1e3 / Math.max(1, records)));
        report.put("broker in process", brokerInProcess);

        out.printf(
                "%nreceived %,.0f records/s (target %,d), send -> consumer p50 %.1f / p95 %.1f / p99 %.1f ms%n",
                records / seconds,
                o.rate,
                percentile(merged, 0.50),
                percentile(merged, 0.95),
                percentile(merged, 0.99));
        out.printf("produce requests/s %.0f, fetch requests/s %.0f%n", requests.get("produce requests/s"), fetches);
        out.printf("%-45s %10s %14s%n", "thread group", "% of core", "us per record");
        for (Map.Entry<String, Object> e : groups.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> g = (Map<String, Object>) e.getValue();
            out.printf("%-45s %10s %14s%n", e.getKey(), g.get("% of a core"), g.get("us per record"));
        }
        out.printf(
                "%-45s %10.1f %14.1f%n",
                "process (user + system, all threads)", processPct, (process1 - process0) / 1e3 / Math.max(1, records));
        if (o.json != null) {
            java.nio.file.Files.writeString(
                    java.nio.file.Path.of(o.json),
                    LoadPhase.JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        return records > 0 ? 0 : 1;
    }

    private static void produce(
            KafkaProducer<String, byte[]> producer,
            int rate,
            int bytes,
            int keys,
            AtomicBoolean running,
            AtomicLong sent) {
        String[] keyNames = new String[keys];
        for (int k = 0; k < keys; k++) {
            keyNames[k] = "session-" + k;
        }
        long start = System.nanoTime();
        long n = 0;
        while (running.get()) {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            while (n < due) {
                byte[] value = new byte[bytes];
                ByteBuffer.wrap(value).putLong(System.nanoTime());
                producer.send(new ProducerRecord<>(TOPIC, keyNames[(int) (n % keys)], value));
                n++;
                sent.incrementAndGet();
            }
            try {
                Thread.sleep(1); // the ingest node sends as frames arrive; one tick a millisecond is close to that
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Like the ingest node's flusher thread: flush() sends every lingering batch now and waits for them all. */
    private static void flush(KafkaProducer<String, byte[]> producer, int perSecond, AtomicBoolean running) {
        long intervalNanos = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        while (running.get()) {
            producer.flush();
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private static void consume(
            KafkaConsumer<String, byte[]> consumer,
            AtomicBoolean running,
            AtomicBoolean measuring,
            AtomicLong received,
            long[] histogram) {
        consumer.subscribe(List.of(TOPIC));
        long lastCommit = System.nanoTime();
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long latencyUs =
                            (System.nanoTime() - ByteBuffer.wrap(r.value()).getLong()) / 1000;
                    if (measuring.get()) {
                        histogram[(int) Math.min(BUCKETS - 1, latencyUs / BUCKET_US)]++;
                        received.incrementAndGet();
                    }
                }
                if (System.nanoTime() - lastCommit > 100_000_000L) { // the worker's ack-mode time, 100 ms, async
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static Properties producerProps(String bootstrap, Options o) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, o.lingerMs);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, o.maxInFlight);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, o.batchBytes);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    private static Properties consumerProps(String bootstrap, int fetchMinBytes, int fetchMaxWait) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-floor");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetchMinBytes);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWait);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    /** Thread CPU (user + system) by name with the digits taken out, so a pool's threads add up. */
    private static Map<String, Long> cpuByGroup(ThreadMXBean mx) {
        Map<String, Long> groups = new TreeMap<>();
        for (long id : mx.getAllThreadIds()) {
            ThreadInfo info = mx.getThreadInfo(id);
            long nanos = mx.getThreadCpuTime(id);
            if (info != null && nanos > 0) {
                groups.merge(info.getThreadName().replaceAll("[0-9]+", "#"), nanos, Long::sum);
            }
        }
        return groups;
    }

    private static Map<String, Long> sortedDelta(Map<String, Long> before, Map<String, Long> after) {
        List<Map.Entry<String, Long>> deltas = new ArrayList<>();
        after.forEach((group, nanos) -> deltas.add(Map.entry(group, nanos - before.getOrDefault(group, 0L))));
        deltas.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        Map<String, Long> sorted = new LinkedHashMap<>();
        deltas.forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double metric(
            Map<org.apache.kafka.common.MetricName, ? extends Metric> metrics, String group, String name) {
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().group().equals(group)
                    && e.getKey().name().equals(name)
                    && e.getValue().metricValue() instanceof Double d
                    && !d.isNaN()) {
                return d;
            }
        }
        return 0;
    }

    private static double percentile(long[] histogram, double q) {
        long count = 0;
        for (long c : histogram) {
            count += c;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank && count > 0) {
                return (i + 1) * BUCKET_US / 1000.0; // upper edge of the bucket
            }
        }
        return -1;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
