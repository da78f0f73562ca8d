package com.realtimevoice.worker.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.WordErrorRate;
import com.realtimevoice.worker.AsrWorkerApplication;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** The whole worker against an in-process KRaft broker and the real bundled Vosk model. */
@SpringBootTest(
        classes = AsrWorkerApplication.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=" + AsrWorkerApplication.CONFIG_NAME,
            "asr.worker.vosk.cache-dir=target/vosk-model-cache",
            "asr.worker.topics.partitions=2",
            "spring.kafka.consumer.group-id=asr-worker-it",
        })
@EmbeddedKafka(partitions = 2, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@Import(AudioListenerIntegrationTest.GateEngine.class)
class AudioListenerIntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    MeterRegistry meters;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private KafkaProducer<String, byte[]> producer;

    /**
     * Each listener thread must own its partition before the test produces: when one thread gets both partitions and
     * the other joins later, the partition that moves is replayed from its open sessions' starts (invariant 5), which
     * is right, but it doubles the events these tests count.
     */
    @BeforeEach
    void awaitSettledConsumerGroup() {
        ConcurrentMessageListenerContainer<?, ?> container =
                (ConcurrentMessageListenerContainer<?, ?>) listeners.getListenerContainer(AudioListener.LISTENER_ID);
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(container.getContainers())
                        .isNotEmpty()
                        .allSatisfy(c -> assertThat(c.getAssignedPartitions())
                                .as("partitions of %s", c.getListenerId())
                                .isNotEmpty()));
    }

    @BeforeEach
    void producer() {
        producer = new KafkaProducer<>(
                KafkaTestUtils.producerProps(broker.getBrokersAsString()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        producer.close();
    }

    @Test
    void transcribesSessionsInOrderAndDeadLettersPoisonRecords() throws Exception {
        String streaming = "it-stream-" + UUID.randomUUID();
        String oneShotKey;
        do { // on the other partition: with both sessions on one, the other got no record and had nothing to commit
            oneShotKey = "it-oneshot-" + UUID.randomUUID();
        } while (partition(oneShotKey) == partition(streaming));
        String oneShot = oneShotKey;
        List<byte[]> sentences = SpeechFixtures.chunks(SpeechFixtures.pcm("sentences.wav"), SpeechFixtures.CHUNK_BYTES);
        List<byte[]> numbers = SpeechFixtures.chunks(SpeechFixtures.pcm("numbers.wav"), SpeechFixtures.CHUNK_BYTES);

        String candidate;
        do { // on the streaming session's partition: its poison must not hold that session up
            candidate = "it-victim-" + UUID.randomUUID();
        } while (partition(candidate) != partition(streaming));
        String victim = candidate;
        send(started(streaming, true, false, null));
        send(started(oneShot, false, true, ""));
        send(started(victim, false, false, null));
        // Interleaved, as two clients would stream; poison records on the streaming session's partition mid-way.
        for (int i = 0; i < Math.max(sentences.size(), numbers.size()); i++) {
            if (i < sentences.size()) {
                send(chunk(streaming, i, sentences.get(i)));
            }
            if (i < numbers.size()) {
                send(chunk(oneShot, i, numbers.get(i)));
            }
            if (i < 20) {
                send(chunk(victim, i, sentences.get(i)));
            }
            if (i == 20) { // poison keyed by a live session: dead-lettered at once, that session alone fails
                sendRaw(victim, "{garbage", "transcript.final");
                sendRaw(victim, "{\"sessionId\":\"" + victim + "\"}", null);
                send(new TranscriptFinal(victim, 0, "not audio", 0, 1, "vosk", 1, 1)); // valid, but no business here
            }
            if (i > 20 && i < sentences.size()) {
                send(chunk(victim, i, sentences.get(i))); // after the failure: dropped
            }
        }
        send(new SessionEnded(
                streaming, sentences.size() - 1, sentences.size() * (long) SpeechFixtures.CHUNK_BYTES, "end", now()));
        send(new SessionEnded(
                oneShot, numbers.size() - 1, numbers.size() * (long) SpeechFixtures.CHUNK_BYTES, "end", now()));
        producer.flush();

        send(new SessionEnded(
                victim, sentences.size() - 1, sentences.size() * (long) SpeechFixtures.CHUNK_BYTES, "end", now()));
        producer.flush();

        Map<String, List<PipelineEvent>> out = consumeTranscriptsUntilDone(List.of(streaming, oneShot, victim));

        List<PipelineEvent> victimOut = out.get(victim);
        assertThat(victimOut.get(0)).isInstanceOf(SessionStarted.class);
        assertThat(victimOut.get(victimOut.size() - 1))
                .isInstanceOfSatisfying(
                        SessionFailed.class, f -> assertThat(f.code()).isEqualTo(WorkerSessions.UNPROCESSABLE));
        assertThat(victimOut)
                .as("failed once; nothing after the failure")
                .filteredOn(e -> e instanceof SessionFailed || e instanceof SessionCompleted)
                .hasSize(1);

        List<TranscriptFinal> streamingFinals = assertSessionShape(out.get(streaming), true);
        assertThat(streamingFinals).as("three sentences, three pauses").hasSizeGreaterThanOrEqualTo(3);
        assertThat(streamingFinals).extracting(TranscriptFinal::engine).containsOnly("vosk");
        for (int i = 1; i < streamingFinals.size(); i++) {
            assertThat(streamingFinals.get(i).startMs())
                    .isGreaterThanOrEqualTo(streamingFinals.get(i - 1).endMs());
        }
        // Same bound as VoskEngineTest: the pipeline must not lose or reorder what the engine recognises.
        assertThat(WordErrorRate.of(SpeechFixtures.transcripts().get("sentences.wav"), text(streamingFinals)))
                .isLessThanOrEqualTo(0.1);

        List<TranscriptFinal> oneShotFinals = assertSessionShape(out.get(oneShot), false);
        assertThat(WordErrorRate.of(SpeechFixtures.transcripts().get("numbers.wav"), text(oneShotFinals)))
                .isLessThanOrEqualTo(0.1);

        List<ConsumerRecord<String, byte[]>> dead = consume(Topics.deadLetter(Topics.AUDIO), 3);
        assertThat(dead).hasSize(3).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo(victim);
            assertThat(header(r, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.AUDIO);
            assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_FQCN)).isEqualTo(MalformedEventException.class.getName());
            assertThat(header(r, KafkaConfiguration.REASON_HEADER)).isNotBlank(); // the root cause in one line
        });
        assertThat(dead)
                .extracting(r -> header(r, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
                .satisfiesExactlyInAnyOrder(
                        m -> assertThat(m).contains("cannot decode transcript.final"),
                        m -> assertThat(m).contains("missing header " + EventHeaders.TYPE),
                        m -> assertThat(m).contains("unexpected transcript.final on " + Topics.AUDIO));

        // Every session is over and no more audio comes: the idle consumers commit up to the end of the topic, so a
        // restart does not recognise these sessions again (ASR_WORKER_IDLE_COMMIT_INTERVAL, 5 s as shipped).
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = Map.of(
                    new TopicPartition(Topics.AUDIO, 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                    new TopicPartition(Topics.AUDIO, 1), org.apache.kafka.clients.admin.OffsetSpec.latest());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var committed = admin.listConsumerGroupOffsets("asr-worker-it")
                        .partitionsToOffsetAndMetadata()
                        .get();
                var ends = admin.listOffsets(latest).all().get();
                for (TopicPartition tp : latest.keySet()) {
                    assertThat(committed.get(tp))
                            .as("committed offset of %s", tp)
                            .isNotNull();
                    assertThat(committed.get(tp).offset())
                            .as("committed offset of %s", tp)
                            .isEqualTo(ends.get(tp).offset());
                }
            });
        }
    }

    @Test
    void failsSessionsItCannotServe() {
        String orphan = "it-orphan-" + UUID.randomUUID();
        String unknownEngine = "it-engine-" + UUID.randomUUID();
        double orphanedBefore = meters.counter("asr.worker.chunks.orphaned").count();

        send(chunk(orphan, 7, new byte[SpeechFixtures.CHUNK_BYTES]));
        send(chunk(orphan, 8, new byte[SpeechFixtures.CHUNK_BYTES]));
        send(new SessionEnded(orphan, 8, 0, "end", now()));
        send(started(unknownEngine, true, false, "no-such-engine"));
        send(chunk(unknownEngine, 0, new byte[SpeechFixtures.CHUNK_BYTES]));
        send(new SessionEnded(unknownEngine, 0, SpeechFixtures.CHUNK_BYTES, "end", now()));
        producer.flush();

        Map<String, List<PipelineEvent>> out = consumeTranscriptsUntilDone(List.of(orphan, unknownEngine));

        assertThat(out.get(orphan))
                .singleElement()
                .isInstanceOfSatisfying(
                        SessionFailed.class, f -> assertThat(f.code()).isEqualTo("SESSION_NOT_FOUND"));
        // Counted every time, reported once.
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                meters.counter("asr.worker.chunks.orphaned").count() - orphanedBefore)
                        .isEqualTo(2));
        assertThat(out.get(unknownEngine)).hasSize(2);
        assertThat(out.get(unknownEngine).get(0)).isInstanceOf(SessionStarted.class);
        assertThat(out.get(unknownEngine).get(1)).isInstanceOfSatisfying(SessionFailed.class, f -> {
            assertThat(f.code()).isEqualTo("ENGINE_UNAVAILABLE");
            assertThat(f.message()).contains("no-such-engine");
        });
    }

    /**
     * Two sessions on one partition: while the first one's recognition is stuck, the second one is recognised and
     * completes (on the listener thread it would have waited); the first completes once released.
     */
    @Test
    void aSlowRecognitionHoldsUpOnlyItsOwnSession() {
        String blocked = GateEngine.BLOCKED_PREFIX + UUID.randomUUID();
        String free = "it-free-" + UUID.randomUUID();
        // same partition (one listener thread); the engine pool gives it another thread (the blocked one's has a
        // session)
        while (partition(free) != partition(blocked)) {
            free = "it-free-" + UUID.randomUUID();
        }
        byte[] audio = new byte[SpeechFixtures.CHUNK_BYTES];
        send(started(blocked, true, false, GateEngine.NAME));
        send(chunk(blocked, 0, audio));
        send(started(free, true, false, GateEngine.NAME));
        send(chunk(free, 0, audio));
        send(new SessionEnded(free, 0, audio.length, "end", now()));
        send(new SessionEnded(blocked, 0, audio.length, "end", now()));
        producer.flush();
        try {
            Map<String, List<PipelineEvent>> out = consumeTranscriptsUntilDone(List.of(free));
            assertThat(out.get(free)).last().isInstanceOf(SessionCompleted.class);
            assertThat(GateEngine.GATE.getCount())
                    .as("the blocked session is still blocked")
                    .isEqualTo(1);
        } finally {
            GateEngine.GATE.countDown();
        }
        Map<String, List<PipelineEvent>> out = consumeTranscriptsUntilDone(List.of(blocked));
        assertThat(out.get(blocked)).hasSize(3).last().isInstanceOf(SessionCompleted.class);
        assertThat(out.get(blocked).get(1))
                .isInstanceOfSatisfying(
                        TranscriptFinal.class, f -> assertThat(f.text()).isEqualTo("gated"));
    }

    @Test
    void aResumeReachesResultServiceAheadOfTheAudioItsSessionStillHasQueued() {
        String session = GateEngine.RESUME_GATED_PREFIX + UUID.randomUUID();
        byte[] audio = new byte[SpeechFixtures.CHUNK_BYTES];
        send(started(session, true, false, GateEngine.NAME));
        send(chunk(session, 0, audio)); // its recognition waits for the gate: the lane runs behind
        SessionResumed resumed =
                new SessionResumed(session, "user-1", "node-2", Topics.delivery("node-2"), -1, 1L, now());
        send(resumed);
        send(new SessionEnded(session, 0, audio.length, "end", now()));
        producer.flush();
        try {
            Map<String, List<PipelineEvent>> early = consumeTranscriptsUntil(
                    List.of(session), out -> out.get(session).stream().anyMatch(SessionResumed.class::isInstance));
            assertThat(GateEngine.RESUME_GATE.getCount())
                    .as("the resume went out while the chunk before it was still being recognised")
                    .isEqualTo(1);
            assertThat(early.get(session)).noneMatch(TranscriptFinal.class::isInstance);
        } finally {
            GateEngine.RESUME_GATE.countDown();
        }
        Map<String, List<PipelineEvent>> out = consumeTranscriptsUntilDone(List.of(session));
        assertThat(out.get(session))
                .as("the resume once, then what the queued audio yielded, which result-service routes to node-2")
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("SessionStarted", "SessionResumed", "TranscriptFinal", "SessionCompleted");
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 2;
    }

    /** A test engine whose recognition of sessions named {@code it-blocked-*} waits for {@link #GATE}. */
    @TestConfiguration
    static class GateEngine {

        static final String NAME = "gate";
        static final String BLOCKED_PREFIX = "it-blocked-";
        static final CountDownLatch GATE = new CountDownLatch(1);
        static final String RESUME_GATED_PREFIX = "it-resume-gated-";
        static final CountDownLatch RESUME_GATE = new CountDownLatch(1);

        @Bean
        SpeechEngine gateEngine() {
            return new SpeechEngine() {
                @Override
                public String name() {
                    return NAME;
                }

                @Override
                public RecognitionStream open(StreamSpec spec) {
                    CountDownLatch gate = spec.sessionId().startsWith(BLOCKED_PREFIX)
                            ? GATE
                            : spec.sessionId().startsWith(RESUME_GATED_PREFIX) ? RESUME_GATE : null;
                    return new RecognitionStream() {
                        @Override
                        public List<RecognitionResult> accept(byte[] pcm) {
                            if (gate != null) {
                                try {
                                    gate.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            return List.of();
                        }

                        @Override
                        public List<RecognitionResult> finish() {
                            return List.of(new RecognitionResult.Final("gated", 0, 100));
                        }

                        @Override
                        public void close() {}
                    };
                }
            };
        }
    }

    @Test
    void exposesProbesAndMetricsOnTheManagementPortOnly() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> notPublic = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notPublic.statusCode()).isEqualTo(404);
        assertThat(notPublic.body()).contains("\"type\":\"error\"").contains("\"code\":\"NOT_FOUND\"");
        HttpResponse<String> readiness =
                http.send(get("/actuator/health/readiness"), HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("UP");
        assertThat(http.send(get("/actuator/health/liveness"), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> prometheus = http.send(get("/actuator/prometheus"), HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("asr_worker_sessions_active", "asr_worker_chunks_orphaned_total");
        // every error on either port is the contract's JSON, never an HTML page or Spring's error shape
        for (int p : List.of(port, managementPort)) {
            assertThat(com.realtimevoice.testsupport.ErrorBodySweep.problems(
                            "localhost", p, com.realtimevoice.testsupport.ErrorBodySweep.common("localhost")))
                    .as("port " + port + ", management " + managementPort)
                    .isEmpty();
        }
    }

    /** Started first, finals 0..n-1 in order, partials only if wanted (never empty, never ahead), completed last. */
    private static List<TranscriptFinal> assertSessionShape(List<PipelineEvent> events, boolean partialsWanted) {
        assertThat(events).isNotEmpty();
        assertThat(events.get(0)).isInstanceOf(SessionStarted.class);
        assertThat(events.get(events.size() - 1)).isInstanceOf(SessionCompleted.class);
        List<TranscriptFinal> finals = new ArrayList<>();
        int partials = 0;
        for (PipelineEvent e : events.subList(1, events.size() - 1)) {
            if (e instanceof TranscriptFinal f) {
                assertThat(f.index()).as("final index").isEqualTo(finals.size());
                assertThat(f.text()).isNotBlank();
                finals.add(f);
            } else if (e instanceof TranscriptPartial p) {
                partials++;
                assertThat(p.text()).isNotBlank();
                assertThat(p.index()).as("a partial belongs to the next final").isEqualTo(finals.size());
            } else {
                throw new AssertionError("unexpected event mid-session: " + e);
            }
        }
        if (partialsWanted) {
            assertThat(partials).isPositive();
        } else {
            assertThat(partials).isZero();
        }
        assertThat(((SessionCompleted) events.get(events.size() - 1)).segments())
                .isEqualTo(finals.size());
        return finals;
    }

    private Map<String, List<PipelineEvent>> consumeTranscriptsUntilDone(List<String> sessions) {
        return consumeTranscriptsUntil(
                sessions, bySession -> bySession.values().stream().allMatch(AudioListenerIntegrationTest::done));
    }

    private Map<String, List<PipelineEvent>> consumeTranscriptsUntil(
            List<String> sessions, java.util.function.Predicate<Map<String, List<PipelineEvent>>> enough) {
        Map<String, List<PipelineEvent>> bySession = new LinkedHashMap<>();
        sessions.forEach(s -> bySession.put(s, new ArrayList<>()));
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRANSCRIPTS));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!enough.test(bySession)) {
                assertThat(System.nanoTime())
                        .as("enough of the sessions' events within %s: %s", TIMEOUT, bySession)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    List<PipelineEvent> events = bySession.get(r.key());
                    if (events != null) {
                        events.add(EventRecords.fromRecord(r));
                    }
                }
            }
        }
        return bySession;
    }

    private List<ConsumerRecord<String, byte[]>> consume(String topic, int atLeast) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // Anything more that is already there (nothing should be).
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        return records;
    }

    private static boolean done(List<PipelineEvent> events) {
        return !events.isEmpty()
                && (events.get(events.size() - 1) instanceof SessionCompleted
                        || events.get(events.size() - 1) instanceof SessionFailed);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> props =
                KafkaTestUtils.consumerProps(broker.getBrokersAsString(), "it-" + UUID.randomUUID(), false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void send(PipelineEvent event) {
        producer.send(EventRecords.toRecord(Topics.AUDIO, event));
    }

    private void sendRaw(String key, String value, String type) {
        RecordHeaders headers = new RecordHeaders();
        if (type != null) {
            headers.add(EventHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(Topics.AUDIO, null, key, value.getBytes(StandardCharsets.UTF_8), headers));
    }

    private static SessionStarted started(String id, boolean interim, boolean oneShot, String engine) {
        return new SessionStarted(
                id,
                "user-1",
                "node-1",
                Topics.delivery("node-1"),
                "pcm",
                SpeechFixtures.SAMPLE_RATE,
                "en-US",
                engine,
                interim,
                oneShot,
                now());
    }

    private static AudioChunk chunk(String id, long seq, byte[] audio) {
        return new AudioChunk(
                id, seq, seq * SpeechFixtures.CHUNK_BYTES, "pcm", SpeechFixtures.SAMPLE_RATE, now(), audio);
    }

    private static String text(List<TranscriptFinal> finals) {
        return finals.stream().map(TranscriptFinal::text).collect(Collectors.joining(" "));
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
