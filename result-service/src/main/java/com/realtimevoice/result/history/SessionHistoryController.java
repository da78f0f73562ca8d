package com.realtimevoice.result.history;

import com.realtimevoice.auth.VerifiedToken;
import com.realtimevoice.result.transcript.TranscriptStore;

import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Transcript history, to the session's owner only. */
@RestController
class SessionHistoryController {

    private final BearerAuthenticator authenticator;
    private final TranscriptStore store;

    SessionHistoryController(BearerAuthenticator authenticator, TranscriptStore store) {
        this.authenticator = authenticator;
        this.store = store;
    }

    @GetMapping("/api/sessions/{id}")
    SessionHistory session(@PathVariable String id,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        // Someone else's session answers exactly like a missing one: existence is not revealed.
        return store.findTranscript(id)
                .filter(t -> t.userId().equals(caller.userId()))
                .map(SessionHistory::of)
                .orElseThrow(() -> new SessionNotFoundException(id));
    }
}
