package com.realtimevoice.result.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.result.LocalWithoutKafka;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A user's sessions over HTTP: the list (keyset pages), exports, delete; real store and database. */
@LocalWithoutKafka
@SpringBootTest
@AutoConfigureMockMvc
@DirtiesContext
@org.springframework.kafka.test.context.EmbeddedKafka(
        partitions = 1,
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class SessionLibraryApiTest extends HistoryApiTest {

    @Autowired
    org.springframework.kafka.test.EmbeddedKafkaBroker broker;

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final long T0 = 1_700_000_000_000L;

    @Autowired
    JsonMapper json;

    @Test
    void theListIsNewestFirstInKeysetPagesThatMissAndRepeatNothing() throws Exception {
        String user = "user-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        // 45 sessions, three of them sharing each start time: the id breaks ties, so a page boundary inside a tie
        // neither repeats nor skips a session
        for (int i = 0; i < 45; i++) {
            String id = String.format("s-%03d-%s", i, UUID.randomUUID());
            completed(user, id, T0 + (i / 3) * 1000L, "session number " + i);
            expected.add(0, id);
        }
        completed("someone-else-" + UUID.randomUUID(), "other-" + UUID.randomUUID(), T0 + 100_000, "not yours");
        expected.sort((a, b) -> {
            int byTime =
                    Integer.compare(Integer.parseInt(b.substring(2, 5)) / 3, Integer.parseInt(a.substring(2, 5)) / 3);
            return byTime != 0 ? byTime : b.compareTo(a);
        });

        List<String> seen = new ArrayList<>();
        String before = null;
        int pages = 0;
        do {
            var request = get("/api/sessions").param("limit", "20").header(HttpHeaders.AUTHORIZATION, bearer(user));
            if (before != null) {
                request.param("before", before);
            }
            JsonNode page = json.readTree(mvc.perform(request)
                    .andExpect(status().isOk())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                    .andReturn()
                    .getResponse()
                    .getContentAsString());
            page.get("sessions").forEach(s -> seen.add(s.get("sessionId").asText()));
            before = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (before != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void eachListedSessionCarriesItsTimesStatusAndAPreview() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String id = "s-" + UUID.randomUUID();
        completed(user, id, T0, "x".repeat(60) + " and then a good deal more");
        mvc.perform(get("/api/sessions").header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.sessions[0].sessionId").value(id))
                .andExpect(jsonPath("$.sessions[0].startedAt").value("2023-11-14T22:13:20Z"))
                .andExpect(jsonPath("$.sessions[0].endedAt").value("2023-11-14T22:13:23Z"))
                .andExpect(jsonPath("$.sessions[0].durationMs").value(3000))
                .andExpect(jsonPath("$.sessions[0].status").value("COMPLETED"))
                .andExpect(jsonPath("$.sessions[0].preview")
                        .value(("zero one " + "x".repeat(60) + " and then a good deal more")
                                .substring(0, TranscriptStore.PREVIEW_LENGTH)))
                .andExpect(jsonPath("$.next").isEmpty());
    }

    @Test
    void badPageParametersAreABadRequestNamingTheParameter() throws Exception {
        String user = "user-" + UUID.randomUUID();
        for (String limit : new String[] {"0", "101", "-1", "abc", "1e3", "99999999999999999999"}) {
            mvc.perform(get("/api/sessions").param("limit", limit).header(HttpHeaders.AUTHORIZATION, bearer(user)))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.code").value("BAD_REQUEST"))
                    .andExpect(jsonPath("$.message").value(containsString("limit")));
        }
        for (String before : new String[] {"not base64!", "AAAA", "x".repeat(500), "MTIzOg", "OmFiYw", "eHl6OmFiYw"}) {
            mvc.perform(get("/api/sessions").param("before", before).header(HttpHeaders.AUTHORIZATION, bearer(user)))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.code").value("BAD_REQUEST"))
                    .andExpect(jsonPath("$.message").value(containsString("before")));
        }
        mvc.perform(get("/api/sessions"))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.code").value("UNAUTHORIZED"));
    }

    @Test
    void exportsAreSubRipWebVttAndTextWithTheirMediaTypes() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String id = "s-" + UUID.randomUUID();
        completed(user, id, T0, "hello <world> & more");

        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "srt")
                        .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("application/x-subrip"))
                .andExpect(header().string(HttpHeaders.CONTENT_DISPOSITION, containsString(id + ".srt")))
                .andExpect(content()
                        .string("1\n00:00:00,000 --> 00:00:00,900\nzero\n\n"
                                + "2\n00:00:01,000 --> 00:00:01,900\none\n\n"
                                + "3\n00:00:02,000 --> 00:00:02,900\nhello <world> & more\n\n"));
        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "VTT")
                        .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("text/vtt"))
                .andExpect(content()
                        .string("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nzero\n\n"
                                + "00:00:01.000 --> 00:00:01.900\none\n\n"
                                + "00:00:02.000 --> 00:00:02.900\nhello &lt;world&gt; &amp; more\n\n"));
        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "txt")
                        .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("text/plain"))
                .andExpect(content().encoding("UTF-8"))
                .andExpect(content().string("zero\none\nhello <world> & more\n"));
        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "json")
                        .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.text").value("zero one hello <world> & more"));
        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "xml")
                        .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.message").value(containsString("format")));
        mvc.perform(get("/api/sessions/{id}", id)
                        .param("format", "srt")
                        .header(HttpHeaders.AUTHORIZATION, bearer("bob")))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("SESSION_NOT_FOUND"));
    }

    @Test
    void theOwnerDeletesASessionWithItsSegmentsAndNobodyElseCan() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String id = "s-" + UUID.randomUUID();
        completed(user, id, T0, "to be forgotten");

        mvc.perform(delete("/api/sessions/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer("mallory")))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("SESSION_NOT_FOUND"));
        assertThat(rows(id)).isEqualTo(1 + 3);

        mvc.perform(delete("/api/sessions/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isNoContent());
        assertThat(rows(id)).isZero();
        mvc.perform(get("/api/sessions/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isNotFound());
        mvc.perform(delete("/api/sessions/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(user)))
                .andExpect(status().isNotFound());
        mvc.perform(delete("/api/sessions/{id}", id)).andExpect(status().isUnauthorized());
    }

    /**
     * DELETE of a session still recording ends it first: an end (reason deleted) goes onto the audio topic for the
     * worker; once the session completes, the delete goes through. The worker's part is played here by the test.
     */
    @Test
    void aSessionStillRecordingIsEndedAndThenDeleted() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String id = "s-" + UUID.randomUUID();
        started(user, id, T0);
        store.storeFinals(List.of(new TranscriptFinal(id, 0, "so far", 0, 900, "vosk", 0, 0)));
        java.util.Map<String, Object> props = org.springframework.kafka.test.utils.KafkaTestUtils.consumerProps(
                broker, "audio-" + UUID.randomUUID(), false);
        props.put("auto.offset.reset", "earliest");
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> audio =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        props,
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            audio.subscribe(List.of(Topics.AUDIO));
            java.util.concurrent.CompletableFuture<Integer> deletion =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return mvc.perform(delete("/api/sessions/{id}", id)
                                            .header(HttpHeaders.AUTHORIZATION, bearer(user)))
                                    .andReturn()
                                    .getResponse()
                                    .getStatus();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            SessionEnded end = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (end == null && System.nanoTime() < deadline) {
                for (var record : audio.poll(Duration.ofMillis(200))) {
                    if (id.equals(record.key()) && EventRecords.fromRecord(record) instanceof SessionEnded e) {
                        end = e;
                    }
                }
            }
            assertThat(end).as("an end for the worker on the audio topic").isNotNull();
            assertThat(end.reason()).isEqualTo("deleted");
            assertThat(deletion)
                    .as("the delete waits while the session records")
                    .isNotDone();
            store.complete(new SessionCompleted(id, 1, null, T0 + 1000)); // what the worker's completion does
            assertThat(deletion.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(204);
        }
        assertThat(rows(id)).isZero();
    }

    private int rows(String sessionId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM transcript_session WHERE id = ?", Integer.class, sessionId)
                + jdbc.queryForObject(
                        "SELECT COUNT(*) FROM transcript_segment WHERE session_id = ?", Integer.class, sessionId);
    }

    private void started(String user, String id, long startedAtMs) {
        recordStarted(id, user, startedAtMs);
    }

    private void completed(String user, String id, long startedAtMs, String lastText) {
        started(user, id, startedAtMs);
        store.storeFinals(List.of(
                new TranscriptFinal(id, 0, "zero", 0, 900, "vosk", 0, 0),
                new TranscriptFinal(id, 1, "one", 1000, 1900, "vosk", 0, 0),
                new TranscriptFinal(id, 2, lastText, 2000, 2900, "vosk", 0, 0)));
        store.complete(new SessionCompleted(id, 3, null, startedAtMs + 3000));
    }
}
