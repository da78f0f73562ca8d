package com.realtimevoice.ingest.web;

import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.stream.StreamSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The old service's liveness path, kept for existing monitors: 200 and {"status":"UP",...} when the node can serve. */
@RestController
class HealthController {

    private final HealthEndpoint health;
    private final IngestNode node;
    private final StreamSessions sessions;

    HealthController(HealthEndpoint health, IngestNode node, StreamSessions sessions) {
        this.health = health;
        this.node = node;
        this.sessions = sessions;
    }

    @GetMapping("/health")
    ResponseEntity<Map<String, Object>> health() {
        Status status = health.health().getStatus();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.getCode());
        body.put("service", "ingest-service");
        body.put("node", node.nodeId());
        body.put("connections", sessions.connectionCount());
        return ResponseEntity.status(Status.UP.equals(status) ? 200 : 503).body(body);
    }
}
