package com.realtimevoice.result.history;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.result.transcript.StoreTest;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;

/** The history API over HTTP with the real store behind it: requests go as a user with a fresh token. */
abstract class HistoryApiTest extends StoreTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenService tokens;

    /** The Authorization header of {@code userId}, with a token that holds for the test. */
    String bearer(String userId) {
        return "Bearer " + tokens.issue(userId, Duration.ofMinutes(5));
    }
}
