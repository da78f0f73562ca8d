package com.realtimevoice.result.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.Word;
import com.realtimevoice.testsupport.TestDatabase;
import com.realtimevoice.testsupport.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The store against the real MariaDB when it is reachable (see {@link TestDatabase}): Flyway's migration,
 * Hibernate's schema validation and the upserts all run on the production database engine.
 */
@DataJpaTest(properties = "spring.config.name=result-service")
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import(TranscriptStore.class)
@Transactional(propagation = Propagation.NOT_SUPPORTED) // the store commits its own transactions, as in production
class TranscriptStoreTest extends StoreTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    /** Production hosts are not always on UTC: run this class in a zone far from it (restored afterwards). */
    static final TimeZone JVM_ZONE = TimeZone.getDefault();

    static {
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"));
    }

    @AfterAll
    static void restoreZone() {
        TimeZone.setDefault(JVM_ZONE);
    }

    @org.springframework.beans.factory.annotation.Autowired
    jakarta.persistence.EntityManagerFactory entityManagerFactory;

    @Test
    void migrationsApplyOnTheConfiguredDatabase() {
        String product = jdbc.execute((java.sql.Connection c) ->
                c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion());
        if (DB.isMariaDb()) {
            assertThat(product).containsIgnoringCase("maria").as("tests ran against " + product);
            assertThat(jdbc.queryForObject("SELECT DATABASE()", String.class)).isEqualTo(DB.name());
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1' AND success = TRUE",
                        Integer.class))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM transcript_session", Integer.class))
                .isNotNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM transcript_segment", Integer.class))
                .isNotNull();
    }

    @Test
    void theWarmUpRunsTheResumePathWithoutChangingARow() {
        String id = "warm-" + UUID.randomUUID();
        recordStarted(id, "user-w", 1_000);
        String before = jdbc.queryForObject(
                "SELECT CONCAT(COUNT(*), ':', MAX(updated_at)) FROM transcript_session", String.class);
        org.hibernate.stat.Statistics statistics =
                entityManagerFactory.unwrap(org.hibernate.SessionFactory.class).getStatistics();
        statistics.setStatisticsEnabled(true);
        statistics.clear();
        try {
            store.warmUp();
            assertThat(statistics.getQueries())
                    .as("the resume's query of the segments ran (prepared), though no session matched")
                    .anySatisfy(q -> assertThat(q).contains("TranscriptSegment"));
            assertThat(statistics.getEntityLoadCount())
                    .as("a stored session was loaded as an entity")
                    .isPositive();
        } finally {
            statistics.setStatisticsEnabled(false);
        }
        store.warmUp(); // every start of an instance runs it: twice is as harmless as once
        assertThat(jdbc.queryForObject(
                        "SELECT CONCAT(COUNT(*), ':', MAX(updated_at)) FROM transcript_session", String.class))
                .isEqualTo(before);
        assertThat(store.findRoute(TranscriptStore.WARM_UP_ID)).isEmpty();
        assertThat(store.findRoute(id)).contains(NODE_A);
    }

    @Test
    void theWriteWarmUpRunsWholeSessionsAndStoresNothing() {
        String id = startSession("user-warm");
        store.storeFinal(fin(id, 0, "kept"));
        String sessionsBefore = jdbc.queryForObject(
                "SELECT CONCAT(COUNT(*), ':', MAX(updated_at)) FROM transcript_session", String.class);
        Integer segmentsBefore = jdbc.queryForObject("SELECT COUNT(*) FROM transcript_segment", Integer.class);

        int rounds = store.warmUpWrites(Duration.ofMillis(500));

        assertThat(rounds)
                .as("start, finals and completion written and rolled back, round after round")
                .isGreaterThan(1);
        assertThat(jdbc.queryForObject(
                        "SELECT CONCAT(COUNT(*), ':', MAX(updated_at)) FROM transcript_session", String.class))
                .isEqualTo(sessionsBefore);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM transcript_segment", Integer.class))
                .isEqualTo(segmentsBefore);
        assertThat(store.findTranscript(TranscriptStore.WARM_UP_ID)).isEmpty();
        assertThat(store.findTranscript(id).orElseThrow().segments())
                .extracting(Transcript.Segment::text)
                .containsExactly("kept");
        assertThat(store.warmUpWrites(Duration.ZERO)).isZero();
    }

    @Test
    void aReplayedFinalUpdatesItsOneRow() {
        String id = startSession("user-1");
        store.storeFinal(fin(id, 0, "hello wrld"));
        store.storeFinal(fin(id, 1, "again"));
        store.storeFinal(new TranscriptFinal(id, 0, "hello world", 10, 990, "vosk", 0, 0)); // replay, corrected

        assertThat(rows(id, 0)).isEqualTo(1);
        assertThat(rows(id)).isEqualTo(2);
        Transcript transcript = store.findTranscript(id).orElseThrow();
        assertThat(transcript.segments()).extracting(Transcript.Segment::index).containsExactly(0, 1);
        assertThat(transcript.segments().get(0).text()).isEqualTo("hello world");
        assertThat(transcript.segments().get(0).startMs()).isEqualTo(10);
        assertThat(transcript.segments().get(0).endMs()).isEqualTo(990);
    }

    @Test
    void wordsAreStoredWithTheirSegmentAndAReplayReplacesThem() {
        String id = startSession("user-w");
        store.storeFinal(helloWorld(id, List.of(new Word("hello", 100, 400, 0.5), new Word("wrld", 450, 900, 0.4))));
        store.storeFinal(fin(id, 1, "no words asked"));
        // replay, corrected
        store.storeFinal(helloWorld(id, List.of(new Word("hello", 100, 400, 0.9), new Word("world", 450, 900, null))));
        Transcript transcript = store.findTranscript(id).orElseThrow();
        assertThat(transcript.segments().get(0).words())
                .containsExactly(new Word("hello", 100, 400, 0.9), new Word("world", 450, 900, null));
        assertThat(transcript.segments().get(1).words()).isNull();
    }

    /** Segment 0 of the session, "hello world" from 100 to 900 ms, with these words. */
    private static TranscriptFinal helloWorld(String id, List<Word> words) {
        return new TranscriptFinal(id, 0, "hello world", 100, 900, "vosk", 0, 0, words);
    }

    /** The most a final can carry, every character escaped in the JSON (\\u0001), fits transcript_segment.words. */
    @Test
    void theLargestWordListFitsTheColumn() {
        String id = startSession("user-w");
        Word worst = new Word("\u0001".repeat(Word.MAX_CHARS), Long.MAX_VALUE - 1, Long.MAX_VALUE, 0.123456789012345);
        TranscriptFinal fin = new TranscriptFinal(
                id,
                0,
                "x",
                Long.MAX_VALUE - 1,
                Long.MAX_VALUE,
                "vosk",
                0,
                0,
                java.util.Collections.nCopies(Word.MAX_PER_FINAL + 10, worst));
        int bytes = TranscriptStore.wordsJson(fin).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        System.out.printf(
                "largest words JSON: %,d bytes for %d words (MEDIUMTEXT holds 16,777,215)%n",
                bytes, Word.MAX_PER_FINAL);
        assertThat(bytes).isLessThan(16_777_215);
        store.storeFinal(fin);
        assertThat(store.findTranscript(id).orElseThrow().segments().get(0).words())
                .hasSize(Word.MAX_PER_FINAL);
    }

    @Test
    void aBatchOfFinalsIsStoredInOrderSoAReplayInTheSameBatchWins() {
        String a = startSession("user-b");
        String b = startSession("user-b");
        store.storeFinal(fin(b, 1, "before"));

        store.storeFinals(List.of(
                fin(a, 0, "one"),
                fin(b, 0, "uno"),
                fin(a, 1, "twoo"),
                fin(a, 1, "two"),
                fin(b, 0, "uno!"),
                fin(b, 1, "dos")));

        assertThat(rows(a)).isEqualTo(2);
        assertThat(rows(b)).isEqualTo(2);
        assertThat(store.findTranscript(a).orElseThrow().text()).isEqualTo("one two");
        assertThat(store.findTranscript(b).orElseThrow().text()).isEqualTo("uno! dos");
        // Bound as UTC like the entities' times, whatever the JVM's zone (Asia/Shanghai here: 8 h off if not).
        LocalDateTime storedAt = LocalDateTime.parse(jdbc.queryForObject(
                        "SELECT CAST(stored_at AS CHAR(30)) FROM transcript_segment WHERE session_id = ? AND seg_index = 0",
                        String.class,
                        a)
                .substring(0, 19)
                .replace(' ', 'T'));
        assertThat(Duration.between(storedAt, LocalDateTime.now(ZoneOffset.UTC)).abs())
                .isLessThan(Duration.ofMinutes(2));
    }

    @Test
    void aBatchWithOneFinalTheDatabaseRefusesStoresNoneOfIt() {
        String id = startSession("user-b");
        TranscriptFinal refused = new TranscriptFinal(id, 1, "x", 0, 1, "e".repeat(40), 0, 0); // engine: VARCHAR(32)

        assertThatThrownBy(() -> store.storeFinals(List.of(fin(id, 0, "zero"), refused, fin(id, 2, "two"))))
                .isInstanceOf(DataAccessException.class);

        assertThat(rows(id)).as("one transaction: all or nothing").isZero();
    }

    @Test
    void aGroupStartsSessionsStoresTheirFinalsAndCompletesThemInOneTransaction() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();

        List<TranscriptStore.Completion> done = store.storeGroup(
                List.of(
                        new TranscriptStore.Start(started(a, "user-g"), NODE_A),
                        new TranscriptStore.Start(started(b, "user-g"), NODE_A)),
                List.of(fin(a, 0, "one"), fin(b, 0, "uno"), fin(a, 1, "two")),
                List.of(new SessionCompleted(a, 2, null, 1_700_000_009_000L)));

        assertThat(done).containsExactly(new TranscriptStore.Completion(2, "one two", false));
        assertThat(store.findTranscript(a).orElseThrow().status()).isEqualTo(SessionStatus.COMPLETED);
        assertThat(store.findTranscript(b).orElseThrow().status()).isEqualTo(SessionStatus.STARTED);
        assertThat(store.findTranscript(b).orElseThrow().text()).isEqualTo("uno");
        assertThat(store.storeGroup(
                        List.of(), List.of(), List.of(new SessionCompleted(a, 2, null, 1_700_000_010_000L))))
                .containsExactly(new TranscriptStore.Completion(2, "one two", true));

        String c = UUID.randomUUID().toString();
        assertThatThrownBy(() -> store.storeGroup(
                        List.of(new TranscriptStore.Start(started(c, "u".repeat(200)), NODE_A)),
                        List.of(fin(b, 1, "dos")),
                        List.of()))
                .isInstanceOf(DataAccessException.class); // user_id: VARCHAR(128)
        assertThat(store.findRoute(c)).isEmpty();
        assertThat(rows(b)).as("all or nothing").isEqualTo(1);
    }

    @Test
    void concurrentReplaysOfOneFinalNeverDuplicateIt() throws Exception {
        String id = startSession("user-1");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 5; round++) {
                int index = round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> writes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String text = "take " + w;
                    writes.add(pool.submit(() -> {
                        go.await();
                        store.storeFinal(fin(id, index, text));
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> write : writes) {
                    write.get(30, TimeUnit.SECONDS); // every write succeeds, none fails on a duplicate key
                }
                assertThat(rows(id, index)).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> possible =
                IntStream.range(0, writers).mapToObj(w -> "take " + w).collect(Collectors.toSet());
        Transcript transcript = store.findTranscript(id).orElseThrow();
        assertThat(transcript.segments()).hasSize(5);
        assertThat(transcript.segments()).allSatisfy(s -> assertThat(possible).contains(s.text()));
    }

    @Test
    void completionJoinsStoredFinalsByAscendingIndex() {
        String id = startSession("user-2");
        store.storeFinal(fin(id, 2, "three"));
        store.storeFinal(fin(id, 0, "one"));
        store.storeFinal(fin(id, 1, "twoo"));
        store.storeFinal(fin(id, 1, "two")); // replayed: the stored (last) text counts

        TranscriptStore.Completion completion = store.complete(new SessionCompleted(id, 3, null, 1_700_000_009_000L));

        assertThat(completion.text()).isEqualTo("one two three");
        assertThat(completion.segments()).isEqualTo(3);
        Transcript transcript = store.findTranscript(id).orElseThrow();
        assertThat(transcript.status()).isEqualTo(SessionStatus.COMPLETED);
        assertThat(transcript.endedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_009_000L));
        assertThat(transcript.text()).isEqualTo("one two three");
    }

    @Test
    void keepsUnicodeAndStoresTimesInUtc() {
        String id = startSession("user-3");
        String text = "你好，世界 🎤 ça va";
        store.storeFinal(fin(id, 0, text));

        assertThat(store.findTranscript(id).orElseThrow().segments().get(0).text())
                .isEqualTo(text);
        // MySQL Connector/J sees MariaDB 10 as "5.5.5" and sends no fractional seconds; MySQL 8 and H2 keep them.
        Instant started = Instant.ofEpochMilli(1_700_000_000_123L);
        Instant expected = DB.isMariaDb() ? started.truncatedTo(ChronoUnit.SECONDS) : started;
        assertThat(store.findTranscript(id).orElseThrow().startedAt()).isEqualTo(expected);
        // The column holds the UTC wall clock, whatever the JVM's zone.
        assertThat(jdbc.queryForObject(
                        "SELECT CAST(started_at AS CHAR(30)) FROM transcript_session WHERE id = ?", String.class, id))
                .startsWith("2023-11-14 22:13:20");
    }

    @Test
    void aReplayedStartKeepsOwnerAndFinalStatusButTakesTheNewRoute() {
        String id = startSession("owner");
        store.fail(new SessionFailed(id, "ENGINE_UNAVAILABLE", "engine down", 1_700_000_001_000L));
        store.recordStarted(started(id, "intruder"), new Route("node-b", Topics.delivery("node-b")));

        Transcript transcript = store.findTranscript(id).orElseThrow();
        assertThat(transcript.userId()).isEqualTo("owner");
        assertThat(transcript.status()).isEqualTo(SessionStatus.FAILED);
        assertThat(transcript.errorCode()).isEqualTo("ENGINE_UNAVAILABLE");
        assertThat(store.findRoute(id)).contains(new Route("node-b", Topics.delivery("node-b")));
        assertThat(store.findRoute("no-such-session")).isEmpty();
    }

    private String startSession(String userId) {
        String id = UUID.randomUUID().toString();
        store.recordStarted(started(id, userId), NODE_A);
        return id;
    }

    private static SessionStarted started(String id, String userId) {
        return TestEvents.started(id, userId, "node-a", 1_700_000_000_123L);
    }

    private static TranscriptFinal fin(String id, int index, String text) {
        return new TranscriptFinal(id, index, text, index * 1000L, index * 1000L + 900, "vosk", 0, 0);
    }

    private int rows(String id, int index) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ? AND seg_index = ?",
                Integer.class,
                id,
                index);
    }

    private int rows(String id) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, id);
    }
}
