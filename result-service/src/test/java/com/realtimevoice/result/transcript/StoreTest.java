package com.realtimevoice.result.transcript;

import com.realtimevoice.events.Topics;
import com.realtimevoice.testsupport.TestEvents;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** A test of what the store keeps: the store, the database under it, and sessions started on node-a. */
public abstract class StoreTest {

    public static final Route NODE_A = new Route("node-a", Topics.delivery("node-a"));

    @Autowired
    protected TranscriptStore store;

    @Autowired
    protected JdbcTemplate jdbc;

    /** Records that {@code userId} started session {@code id} on node-a at {@code startedAtMs}. */
    protected void recordStarted(String id, String userId, long startedAtMs) {
        store.recordStarted(TestEvents.started(id, userId, "node-a", startedAtMs), NODE_A);
    }
}
