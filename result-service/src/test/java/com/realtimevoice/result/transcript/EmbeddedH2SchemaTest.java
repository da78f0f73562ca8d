package com.realtimevoice.result.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The embedded default runs on H2 in MySQL mode with lower-cased identifiers: the same migration must apply
 * there and Hibernate's schema validation must accept it, or the one-machine setup would not start.
 */
@DataJpaTest(
        properties = {
            "spring.config.name=result-service",
            "spring.datasource.url=jdbc:h2:mem:embedded-default;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "spring.datasource.username=sa",
            "spring.datasource.password="
        })
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import(TranscriptStore.class)
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class EmbeddedH2SchemaTest extends StoreTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "MODE=MySQL;DATABASE_TO_LOWER=TRUE",
                "MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE",
                "MODE=MySQL"
            })
    void theMigrationAppliesOnH2InMySqlMode(String settings) {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";" + settings + ";DB_CLOSE_DELAY=-1";
        MigrateResult result = Flyway.configure()
                .dataSource(url, "sa", "")
                .locations("classpath:db/migration")
                .load()
                .migrate();

        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isEqualTo(5);
    }

    @Test
    void hibernateValidatesTheSchemaAndTheUpsertsWorkOnH2() {
        assertThat(jdbc.queryForObject("SELECT DATABASE_PATH()", String.class)).isNull(); // in memory: it is H2
        String id = UUID.randomUUID().toString();
        // no language nor engine asked (nullable columns); recorded twice, as a replayed start is
        SessionStarted start = new SessionStarted(
                id,
                "user-1",
                "node-a",
                Topics.delivery("node-a"),
                "pcm",
                16000,
                null,
                null,
                true,
                false,
                1_700_000_000_123L);
        store.recordStarted(start, NODE_A);
        store.recordStarted(start, NODE_A);
        store.storeFinal(new TranscriptFinal(id, 1, "world", 1000, 1900, "vosk", 0, 0));
        store.storeFinal(new TranscriptFinal(id, 0, "hallo", 0, 900, "vosk", 0, 0));
        store.storeFinal(new TranscriptFinal(id, 0, "hello", 0, 900, "vosk", 0, 0));

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM transcript_session WHERE id = ?", Integer.class, id))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, id))
                .isEqualTo(2);
        assertThat(store.complete(new SessionCompleted(id, 2, null, 1_700_000_002_000L))
                        .text())
                .isEqualTo("hello world");
        assertThat(store.findTranscript(id).orElseThrow().startedAt().toEpochMilli())
                .isEqualTo(1_700_000_000_123L);

        // The batched upsert (ON DUPLICATE KEY UPDATE ... VALUES(col)) on H2: rows apply in order, replays overwrite.
        store.storeFinals(List.of(
                new TranscriptFinal(id, 2, "again", 2000, 2900, "vosk", 0, 0),
                new TranscriptFinal(id, 0, "hello!", 0, 900, "vosk", 0, 0),
                new TranscriptFinal(id, 2, "again!", 2000, 2950, "vosk", 0, 0)));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, id))
                .isEqualTo(3);
        assertThat(store.findTranscript(id).orElseThrow().text()).isEqualTo("hello! world again!");
        assertThat(store.findTranscript(id).orElseThrow().segments().get(2).endMs())
                .isEqualTo(2950);
    }
}
