package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.testsupport.TestEvents;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** What the intake's integration tests publish and read: sessions on two ingest nodes, their finals, dead letters. */
final class IntakeFixtures {

    static final String NODE_A = Topics.delivery("node-a");
    static final String NODE_B = Topics.delivery("node-b");
    static final String DLT = Topics.deadLetter(Topics.TRANSCRIPTS);

    private IntakeFixtures() {}

    static String session() {
        return UUID.randomUUID().toString();
    }

    static SessionStarted started(String id, String userId, String nodeId) {
        return TestEvents.started(id, userId, nodeId, 1_700_000_000_000L);
    }

    static TranscriptFinal fin(String id, int index, String text) {
        return new TranscriptFinal(id, index, text, index * 1000L, index * 1000L + 800, "vosk", 7, 8);
    }

    /** The record's last header of that name, as text; the header must be there. */
    static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header " + name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
