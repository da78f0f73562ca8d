package com.realtimevoice.result.history;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.TokenSettings;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.Word;
import com.realtimevoice.result.LocalWithoutKafka;
import com.realtimevoice.testsupport.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;

/** History over HTTP, with the real store and database behind it; Kafka is not started (not needed here). */
@LocalWithoutKafka
@SpringBootTest
@AutoConfigureMockMvc
@DirtiesContext
class SessionHistoryApiTest extends HistoryApiTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    String sessionId;

    @BeforeEach
    void aliceHasACompletedSession() {
        sessionId = UUID.randomUUID().toString();
        recordStarted(sessionId, "alice", 1_700_000_000_000L);
        // stored out of order, as a replay after a failover may do
        store.storeFinal(new TranscriptFinal(sessionId, 2, "two", 2000, 2900, "vosk", 0, 0));
        store.storeFinal(new TranscriptFinal(sessionId, 0, "zero", 0, 900, "vosk", 0, 0));
        store.storeFinal(new TranscriptFinal(sessionId, 1, "one", 1000, 1900, "vosk", 0, 0));
        store.complete(new SessionCompleted(sessionId, 3, null, 1_700_000_003_000L));
    }

    @Test
    void theOwnerGetsTheSessionWithItsSegmentsInOrder() throws Exception {
        mvc.perform(get("/api/sessions/{id}", sessionId).header(HttpHeaders.AUTHORIZATION, bearer("alice")))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.sessionId").value(sessionId))
                .andExpect(jsonPath("$.userId").value("alice"))
                .andExpect(jsonPath("$.status").value("COMPLETED"))
                .andExpect(jsonPath("$.startedAt").value("2023-11-14T22:13:20Z"))
                .andExpect(jsonPath("$.endedAt").value("2023-11-14T22:13:23Z"))
                .andExpect(jsonPath("$.segmentCount").value(3))
                .andExpect(jsonPath("$.text").value("zero one two"))
                .andExpect(jsonPath("$.segments[*].index").value(org.hamcrest.Matchers.contains(0, 1, 2)))
                .andExpect(jsonPath("$.segments[1].text").value("one"))
                .andExpect(jsonPath("$.segments[1].startMs").value(1000))
                .andExpect(jsonPath("$.segments[1].endMs").value(1900))
                .andExpect(jsonPath("$.segments[1].words").doesNotExist()); // not asked: the old shape
    }

    @Test
    void wordTimingsComeBackWithTheirSegment() throws Exception {
        store.storeFinal(new TranscriptFinal(
                sessionId, 1, "one", 1000, 1900, "vosk", 0, 0, List.of(new Word("one", 1000, 1900, 0.87))));
        mvc.perform(get("/api/sessions/{id}", sessionId).header(HttpHeaders.AUTHORIZATION, bearer("alice")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.segments[0].words").doesNotExist())
                .andExpect(jsonPath("$.segments[1].words[0].word").value("one"))
                .andExpect(jsonPath("$.segments[1].words[0].startMs").value(1000))
                .andExpect(jsonPath("$.segments[1].words[0].endMs").value(1900))
                .andExpect(jsonPath("$.segments[1].words[0].confidence").value(0.87));
    }

    @Test
    void anotherUserGetsTheSameNotFoundAsForASessionThatDoesNotExist() throws Exception {
        mvc.perform(get("/api/sessions/{id}", sessionId).header(HttpHeaders.AUTHORIZATION, bearer("bob")))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("error"))
                .andExpect(jsonPath("$.code").value("SESSION_NOT_FOUND"))
                .andExpect(jsonPath("$.segments").doesNotExist());
        mvc.perform(get("/api/sessions/{id}", "no-such-session").header(HttpHeaders.AUTHORIZATION, bearer("alice")))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("SESSION_NOT_FOUND"));
    }

    @Test
    void withoutAValidTokenTheAnswerIs401() throws Exception {
        mvc.perform(get("/api/sessions/{id}", sessionId))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer"))
                .andExpect(jsonPath("$.type").value("error"))
                .andExpect(jsonPath("$.code").value("UNAUTHORIZED"))
                .andExpect(jsonPath("$.message").isNotEmpty());

        TokenService someoneElses = new TokenService(new TokenSettings(
                "another-secret-0123456789abcdef-0123456789",
                "realtime-voice",
                "realtime-voice-clients",
                Duration.ZERO));
        for (String authorization : new String[] {
            "Bearer " + someoneElses.issue("alice", Duration.ofMinutes(5)),
            "Bearer " + tokens.issue("alice", Duration.ofMinutes(-10)), // expired
            "Basic YWxpY2U6c2VjcmV0",
            "Bearer not-a-jwt"
        }) {
            mvc.perform(get("/api/sessions/{id}", sessionId).header(HttpHeaders.AUTHORIZATION, authorization))
                    .andExpect(status().isUnauthorized())
                    .andExpect(jsonPath("$.code").value("UNAUTHORIZED"))
                    .andExpect(jsonPath("$.userId").doesNotExist());
        }
    }

    @Test
    void unknownApiPathsAnswerJsonNotAnHtmlPage() throws Exception {
        mvc.perform(get("/api/no-such-thing").accept(MediaType.TEXT_HTML))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.type").value("error"))
                .andExpect(jsonPath("$.code").value("NOT_FOUND"))
                .andExpect(jsonPath("$.message").value(containsString("/api/sessions/{sessionId}")));
        mvc.perform(post("/api/sessions/{id}", sessionId).header(HttpHeaders.AUTHORIZATION, bearer("alice")))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(jsonPath("$.type").value("error"));
    }

    /** Probes are on the management port (HttpErrorContractTest); the public side has no /actuator at all. */
    @Test
    void actuatorIsNotOnThePublicSide() throws Exception {
        mvc.perform(get("/actuator/health/readiness"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("NOT_FOUND"));
    }
}
