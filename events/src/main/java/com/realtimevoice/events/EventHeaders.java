package com.realtimevoice.events;

/** Kafka header names. Metadata travels in headers so that audio can travel as raw bytes. */
public final class EventHeaders {

    /** Short type token (see {@link EventType}); never a class name. */
    public static final String TYPE = "rv-type";
    /** Unique id of this event; consumers may skip ids they have seen. */
    public static final String EVENT_ID = "rv-event-id";

    public static final String SESSION_ID = "rv-session-id";
    /** Wall-clock time the event was created, epoch milliseconds, for per-hop latency. */
    public static final String CREATED_AT = "rv-created-at";

    // Audio chunk metadata.
    public static final String SEQ = "rv-seq";
    public static final String BYTE_OFFSET = "rv-byte-offset";
    public static final String FORMAT = "rv-format";
    public static final String SAMPLE_RATE = "rv-sample-rate";
    public static final String RECEIVED_AT = "rv-received-at";

    private EventHeaders() {}
}
