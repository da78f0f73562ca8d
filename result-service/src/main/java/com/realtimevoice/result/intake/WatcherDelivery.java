package com.realtimevoice.result.intake;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchJoined;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.SessionStatus;
import com.realtimevoice.result.transcript.Transcript;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.result.watch.WatchRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Live captions in the intake: a session's results go, besides the speaker's node, to every ingest node that holds
 * watchers of it, once per node (the node fans out to its sockets). A watcher node's send that fails does not hold
 * the partition (the speaker's results must not wait on a watcher): that node is forgotten, and a watcher that
 * reconnects registers its new node, which catches up from the store.
 */
@Component
class WatcherDelivery {

    private static final Logger log = LoggerFactory.getLogger(WatcherDelivery.class);

    private final WatchRegistry registry;
    private final TranscriptStore store;
    private final Delivery delivery;
    private final MeterRegistry meters;

    WatcherDelivery(WatchRegistry registry, TranscriptStore store, Delivery delivery, MeterRegistry meters) {
        this.registry = registry;
        this.store = store;
        this.delivery = delivery;
        this.meters = meters;
    }

    /** What watchers are shown: the speaker's results less acks, speech events and resume fields. */
    static boolean watched(PipelineEvent event) {
        return event instanceof TranscriptFinal
                || event instanceof TranscriptPartial
                || event instanceof SessionCompleted
                || event instanceof SessionFailed;
    }

    void sessionStarted(String sessionId) {
        registry.sessionStarted(sessionId);
    }

    /** Sends the result to each watching node other than the speaker's; the sends to await (none for most sessions). */
    List<Delivery.Sending> fanOut(PipelineEvent event, Route speaker, Headers cause) {
        if (!watched(event)) {
            return List.of();
        }
        List<Delivery.Sending> sendings = List.of();
        for (Route node : registry.watchingNodes(event.sessionId())) {
            if (speaker != null && node.replyTopic().equals(speaker.replyTopic())) {
                continue; // that node delivers to its watchers what it gets for its speaker
            }
            if (sendings.isEmpty()) {
                sendings = new ArrayList<>(2);
            }
            sendings.add(delivery.send(node, event, cause));
        }
        return sendings;
    }

    /**
     * A node has watchers of the session: registered, then sent what is stored so far (everything before the join on
     * the partition is stored by now: the intake writes what waits before it handles a join). What follows the
     * join goes to the node live.
     */
    Delivery.Sending joined(WatchJoined joined, Route node) {
        boolean registered = registry.register(joined.sessionId(), node);
        Optional<Transcript> stored = registered ? store.findTranscript(joined.sessionId()) : Optional.empty();
        int epoch = registered
                ? registry.grant(joined.sessionId())
                        .map(WatchRegistry.Grant::epoch)
                        .orElse(0)
                : 0;
        String status = stored.map(t -> t.status().name()).orElse("UNKNOWN");
        List<WatchSynced.Final> finals = stored.map(t -> t.segments().stream()
                        .map(s -> new WatchSynced.Final(s.index(), s.text(), s.startMs(), s.endMs()))
                        .toList())
                .orElse(List.of());
        String text = stored.filter(t -> t.status() == SessionStatus.COMPLETED)
                .map(Transcript::text)
                .orElse(null);
        meters.counter("result.watch.joins", "status", status.toLowerCase(java.util.Locale.ROOT))
                .increment();
        return delivery.send(
                node,
                new WatchSynced(joined.sessionId(), epoch, status, finals, text, System.currentTimeMillis()),
                null);
    }

    /** A send to a watching node failed: that node is dropped from the session's watchers. */
    void failed(Delivery.Sending sending, Throwable why) {
        meters.counter("result.watch.deliveries.failed").increment();
        log.warn(
                "could not deliver {} to a watching node; it is no longer sent this session's results: {}",
                sending.describe(),
                why.toString());
        try {
            registry.forget(sending.sessionId(), sending.topic());
        } catch (RuntimeException e) {
            log.debug("could not forget {} for {}: {}", sending.topic(), sending.sessionId(), e.toString());
        }
    }

    void clearCache() {
        registry.clearCache();
    }
}
