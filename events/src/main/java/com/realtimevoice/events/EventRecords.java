package com.realtimevoice.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wire format. Key: session id. Value: raw audio bytes for {@link AudioChunk}, UTF-8 JSON of the
 * record for every other event. Headers: the type token, an event id, the session id, the creation time,
 * and for audio the chunk metadata. Golden files in the tests pin it.
 */
public final class EventRecords {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer producers may add fields
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private EventRecords() {}

    public static ProducerRecord<String, byte[]> toRecord(String topic, PipelineEvent event) {
        return toRecord(topic, null, event);
    }

    /** @param partition null to let the key choose it (the normal case) */
    public static ProducerRecord<String, byte[]> toRecord(String topic, Integer partition, PipelineEvent event) {
        EventType type = EventType.of(event);
        Headers headers = new RecordHeaders();
        put(headers, EventHeaders.TYPE, type.token());
        put(headers, EventHeaders.EVENT_ID, UUID.randomUUID().toString());
        put(headers, EventHeaders.SESSION_ID, event.sessionId());
        putLong(headers, EventHeaders.CREATED_AT, System.currentTimeMillis());
        byte[] value;
        if (event instanceof AudioChunk chunk) {
            putLong(headers, EventHeaders.SEQ, chunk.seq());
            putLong(headers, EventHeaders.BYTE_OFFSET, chunk.byteOffset());
            put(headers, EventHeaders.FORMAT, chunk.format());
            putLong(headers, EventHeaders.SAMPLE_RATE, chunk.sampleRate());
            putLong(headers, EventHeaders.RECEIVED_AT, chunk.receivedAtMs());
            value = chunk.audio();
        } else {
            value = toJson(event);
        }
        return new ProducerRecord<>(topic, partition, event.sessionId(), value, headers);
    }

    /** Decodes a consumed record; throws {@link MalformedEventException} with the reason if it cannot. */
    public static PipelineEvent fromRecord(ConsumerRecord<String, byte[]> record) {
        return decode(record.key(), record.headers(), record.value());
    }

    public static PipelineEvent decode(String key, Headers headers, byte[] value) {
        String token = header(headers, EventHeaders.TYPE);
        if (token == null) {
            throw new MalformedEventException("missing header " + EventHeaders.TYPE);
        }
        if (value == null) {
            throw new MalformedEventException("record has no value");
        }
        EventType type = EventType.fromToken(token);
        PipelineEvent event;
        if (type == EventType.AUDIO_CHUNK) {
            event = new AudioChunk(
                    requireHeader(headers, EventHeaders.SESSION_ID),
                    longHeader(headers, EventHeaders.SEQ),
                    longHeader(headers, EventHeaders.BYTE_OFFSET),
                    requireHeader(headers, EventHeaders.FORMAT),
                    (int) longHeader(headers, EventHeaders.SAMPLE_RATE),
                    longHeader(headers, EventHeaders.RECEIVED_AT),
                    value);
        } else {
            event = fromJson(type, value);
        }
        if (event.sessionId() == null || event.sessionId().isBlank()) {
            throw new MalformedEventException(token + " has no sessionId");
        }
        if (key != null && !key.equals(event.sessionId())) {
            throw new MalformedEventException(
                    "record key '" + key + "' differs from sessionId '" + event.sessionId() + "'");
        }
        return event;
    }

    public static byte[] toJson(PipelineEvent event) {
        return JSON.writeValueAsBytes(event);
    }

    public static PipelineEvent fromJson(EventType type, byte[] json) {
        try {
            return JSON.readValue(json, type.recordType());
        } catch (JacksonException e) {
            throw new MalformedEventException("cannot decode " + type.token() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Creation time stamped by the producer, or -1 if absent. */
    public static long createdAt(Headers headers) {
        Header h = headers.lastHeader(EventHeaders.CREATED_AT);
        return h == null ? -1 : ByteBuffer.wrap(h.value()).getLong();
    }

    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String requireHeader(Headers headers, String name) {
        String v = header(headers, name);
        if (v == null) {
            throw new MalformedEventException("missing header " + name);
        }
        return v;
    }

    private static long longHeader(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null || h.value().length != Long.BYTES) {
            throw new MalformedEventException("missing or malformed header " + name);
        }
        return ByteBuffer.wrap(h.value()).getLong();
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void putLong(Headers headers, String name, long value) {
        headers.add(name, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }
}
