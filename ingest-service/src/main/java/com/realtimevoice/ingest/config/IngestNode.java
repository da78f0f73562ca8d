package com.realtimevoice.ingest.config;

import com.realtimevoice.events.Topics;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's identity. Results for its sockets come back on its own delivery topic only, so two
 * nodes must never share an id: an unset id gets a random suffix.
 */
public record IngestNode(String nodeId, String deliveryTopic) {

    public static IngestNode of(String configuredId) {
        String id = configuredId == null || configuredId.isBlank()
                ? "ingest-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                : configuredId;
        return new IngestNode(id, Topics.delivery(id));
    }

    /** Consumer group of the delivery listener: one group per node, so each node reads all of its own topic. */
    public String deliveryGroup() {
        return "ingest-delivery-" + nodeId;
    }
}
