package com.realtimevoice.result.history;

import com.realtimevoice.auth.VerifiedToken;
import com.realtimevoice.events.WatchRevoked;
import com.realtimevoice.result.intake.Delivery;
import com.realtimevoice.result.intake.DeliveryFailedException;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.watch.WatchRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Live captions, the owner's side (owner only; anyone else gets 404 as for history). The ingest node answers
 * {@code POST /api/sessions/{id}/watchers}: it asks here for the session's watch epoch ({@code watch-grant}), then
 * signs the watch token itself with the key its nodes share. {@code DELETE /api/sessions/{id}/watchers} revokes
 * every token issued so far: the epoch moves on and every node watching the session closes its watchers.
 */
@RestController
class WatchGrantController {

    private static final Logger log = LoggerFactory.getLogger(WatchGrantController.class);
    private static final Duration REVOKE_SEND_TIMEOUT = Duration.ofSeconds(5);

    private final BearerAuthenticator authenticator;
    private final WatchRegistry registry;
    /** The one publisher on the delivery topics. */
    private final Delivery delivery;

    private final MeterRegistry meters;

    WatchGrantController(
            BearerAuthenticator authenticator, WatchRegistry registry, Delivery delivery, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.delivery = delivery;
        this.meters = meters;
    }

    @PostMapping("/api/sessions/{id}/watch-grant")
    Map<String, Object> grant(
            @PathVariable String id,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        WatchRegistry.Grant grant = owned(id, caller);
        meters.counter("result.watch.grants").increment();
        return Map.of("sessionId", id, "userId", grant.userId(), "epoch", grant.epoch());
    }

    @DeleteMapping("/api/sessions/{id}/watchers")
    ResponseEntity<Void> revoke(
            @PathVariable String id,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        owned(id, caller);
        int epoch = registry.revoke(id);
        WatchRevoked revoked = new WatchRevoked(id, epoch, System.currentTimeMillis());
        for (Route node : registry.watchingNodes(id)) {
            try {
                delivery.sendAndWait(node, revoked, REVOKE_SEND_TIMEOUT);
            } catch (DeliveryFailedException e) {
                // The tokens are revoked all the same (a new watcher is refused); that node's open watchers stay
                // until their socket closes.
                log.warn(
                        "session {}: could not tell {} that its watch tokens are revoked: {}",
                        id,
                        node.replyTopic(),
                        e.getCause().toString());
            }
        }
        meters.counter("result.watch.revocations").increment();
        return ResponseEntity.noContent().build();
    }

    private WatchRegistry.Grant owned(String sessionId, VerifiedToken caller) {
        return registry.grant(sessionId)
                .filter(g -> g.userId().equals(caller.userId()))
                .orElseThrow(() -> new SessionNotFoundException(sessionId));
    }
}
