package com.realtimevoice.ingest;

import com.realtimevoice.auth.TokenService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A test against a node started on a random port: where its stream endpoint is, and its tokens to open it with. */
public abstract class RunningNodeTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected TokenService tokens;

    /** The stream endpoint with this token; null: without one. */
    protected String streamUrl(String token) {
        return "ws://localhost:" + port + "/api/realtime-voice/stream" + (token == null ? "" : "?token=" + token);
    }
}
