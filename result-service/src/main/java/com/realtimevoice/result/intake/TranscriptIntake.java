package com.realtimevoice.result.intake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.EventType;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionResumed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchJoined;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.SessionNotStoredException;
import com.realtimevoice.result.transcript.SessionStatus;
import com.realtimevoice.result.transcript.Transcript;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.result.transcript.TranscriptStore.Completion;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the workers' results a poll at a time. Each session's events arrive in order (they share a key,
 * hence a partition) and are handled in that order: what must be stored is stored, then delivered to the node
 * holding the socket.
 * <p>
 * The poll's records are walked in order and gathered into a group that is written in one transaction
 * ({@link TranscriptStore#storeGroup}: the sessions started, the finals as one multi-row upsert, then the
 * sessions completed), and only then delivered, in record order: persist, then deliver. A partial waits in the
 * group behind its session's finals. Per session the group keeps its events' order: a session's start joins
 * only before its other events, its completion is its last event in the group; any other case, and a resume or
 * a failure of a session in the group, first flushes the group. Events of other sessions do not. A group holds
 * at most {@code result-service.batch.max-finals} finals. Deliveries are sent without waiting and all acked
 * before the listener returns, so offsets are committed only after everything was stored and delivered.
 * <p>
 * What fails is classified ({@link Failures}). Poison (a record that cannot be decoded, a value the database
 * refuses, an event of a session whose start was never stored) cannot pass on a retry: the record goes to the
 * dead-letter topic at once, its session fails ({@link #UNPROCESSABLE}, stored and told to its client through the
 * node holding its socket) and its later records follow it to the dead-letter topic; the poll goes on with the
 * other sessions' records, nothing is rewound. A transient failure (the database away, a lock wait timeout or
 * deadlock, a delivery not acked in time) holds only the partition of the record that failed ({@link PartitionHolds}):
 * that partition's later records in the poll are left for later, it is sought back to that record and paused for
 * a back-off, then read again from there, as long as the failure lasts; never dead-lettered. The other partitions'
 * records go on. When the database itself is away (no connection), every record after that point waits alike,
 * without a connection attempt each. Offsets are committed by this listener (ack-mode manual), per partition: up to
 * the first record not handled. Nothing is logged and skipped.
 */
@Component
class TranscriptIntake implements org.springframework.kafka.listener.ConsumerSeekAware {

    static final String LISTENER_ID = "result-intake";
    /**
     * The error a session's client gets when its data cannot be processed (poison): retrying the same input
     * fails the same way. A contract extension (docs/protocol.md).
     */
    static final String UNPROCESSABLE = "UNPROCESSABLE";

    private static final Logger log = LoggerFactory.getLogger(TranscriptIntake.class);

    private final TranscriptStore store;
    private final RouteCache routes;
    private final Delivery delivery;
    private final ResultMetrics metrics;
    private final int maxFinals;
    private final DeadLetters deadLetters;
    private final PartitionHolds holds;
    private final WatcherDelivery watchers;
    /** Sessions failed here on poison, with why: their later records are dead-lettered without being tried. */
    private final Map<String, String> poisoned;

    @Autowired
    TranscriptIntake(TranscriptStore store, RouteCache routes, Delivery delivery, ResultMetrics metrics,
            DeadLetters deadLetters, PartitionHolds holds, WatcherDelivery watchers, ResultServiceProperties properties) {
        this(store, routes, delivery, metrics, deadLetters, holds, watchers, properties.batch().maxFinals(),
                properties.routeCacheSize());
    }

    TranscriptIntake(TranscriptStore store, RouteCache routes, Delivery delivery, ResultMetrics metrics,
            DeadLetters deadLetters, PartitionHolds holds, WatcherDelivery watchers, int maxFinals, int remembered) {
        this.holds = holds;
        this.watchers = watchers;
        this.store = store;
        this.routes = routes;
        this.delivery = delivery;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.maxFinals = maxFinals;
        // Only a shortcut (and the client told once): without it the later records are poison on their own
        // (no stored start, or the session failed), e.g. after a restart.
        this.poisoned = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > remembered;
            }
        });
    }

    /** Another instance may have registered watching nodes while it held these partitions: read them back. */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        watchers.clearCache();
    }

    // batch: for this listener only (the factory stays record-based); group: RESULT_SERVICE_GROUP
    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.TRANSCRIPTS, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        settle(records, new Pass(records, consumer).run(), consumer);
    }

    /** Without a consumer (unit tests): the partitions held, with the first offset of each to read again. */
    Map<TopicPartition, Long> onBatch(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, Long> held = new Pass(records, null).run();
        settle(records, held, null);
        return held;
    }

    /**
     * After a pass: each held partition sought back and paused for its back-off; every partition's offset committed
     * up to its first record not handled (all of them, for one not held). Without waiting for the broker: a lost
     * commit replays records the store takes idempotently.
     */
    private void settle(List<ConsumerRecord<String, byte[]>> records, Map<TopicPartition, Long> held, Consumer<?, ?> consumer) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) { // in offset order per partition: the last one wins
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            Long from = held.get(partition);
            commits.put(partition, new OffsetAndMetadata(from != null ? from : record.offset() + 1));
            if (from == null) {
                holds.passed(partition);
            }
        }
        held.forEach((partition, offset) -> {
            PartitionHolds.Hold hold = holds.hold(consumer, partition, offset);
            log.warn("{}@{} not handled (a transient failure), attempt {}: the partition waits {} ms, the others go on",
                    partition, offset, hold.attempt(), hold.backOff().toMillis());
        });
        if (consumer != null && !commits.isEmpty()) {
            consumer.commitAsync(commits, (offsets, failure) -> {
                if (failure != null) {
                    log.debug("commit of {} failed (replayed after a rebalance, stored idempotently): {}", offsets, failure.toString());
                }
            });
        }
    }

    /** One poll's records: the pending group and the sends to await. One per listener call, never shared. */
    private final class Pass {

        private final List<ConsumerRecord<String, byte[]>> records;
        /** For the dead-letter headers (the group id); null in unit tests. */
        private final Consumer<?, ?> consumer;
        /** Starts, finals and completions (to write, then deliver) and partials (to deliver), in record order. */
        private final List<Pending> group = new ArrayList<>();
        /** The sessions in the group; true once the session's completion is in it (its last event there). */
        private final Map<String, Boolean> groupSessions = new HashMap<>();
        private int groupFinals;
        private final List<Sent> sent = new ArrayList<>();
        /** Reply topics a send to failed at once in this pass, with why. */
        private final Map<String, Throwable> unreachable = new HashMap<>();
        /** The record being handled: what its deliveries are counted against. */
        private int current;
        /** Partitions held by a transient failure: the first offset of each to read again; their later records wait. */
        private final Map<TopicPartition, Long> held = new HashMap<>();
        /** The database cannot be reached: every record from here on waits, without a connection attempt each. */
        private boolean databaseAway;

        Pass(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
            this.records = records;
            this.consumer = consumer;
        }

        Map<TopicPartition, Long> run() {
            for (int i = 0; i < records.size(); i++) {
                current = i;
                ConsumerRecord<String, byte[]> record = records.get(i);
                if (databaseAway || held.containsKey(partition(i))) {
                    hold(i, null); // read again later, after the failure that holds its partition
                    continue;
                }
                PipelineEvent event;
                try {
                    event = EventRecords.fromRecord(record);
                } catch (MalformedEventException e) {
                    poison(i, null, record.key(), e); // the key is the session's id, if a producer of ours sent it
                    continue;
                }
                String why = poisoned.get(event.sessionId());
                // a resume is refused as for any failed session; watchers are told it failed
                if (why != null && !(event instanceof SessionResumed) && !(event instanceof WatchJoined)) {
                    deadLetter(i, new PoisonedSessionException(event.sessionId(), why));
                    continue;
                }
                try {
                    handle(event);
                } catch (RuntimeException e) {
                    if (Failures.isTransient(e)) {
                        transientFailure(i, e);
                    } else {
                        poison(i, event, event.sessionId(), e);
                    }
                }
            }
            flush();
            awaitSent();
            return held;
        }

        private TopicPartition partition(int index) {
            ConsumerRecord<String, byte[]> record = records.get(index);
            return new TopicPartition(record.topic(), record.partition());
        }

        /**
         * Record {@code index} failed and may pass later: what waits in the group (records before it) is written
         * and sent first, then its partition is held from it.
         */
        private void transientFailure(int index, RuntimeException cause) {
            log.debug("record {} of the poll failed transiently: {}", index, cause.toString());
            if (Failures.isDatabaseAway(cause)) {
                databaseAway = true;
            }
            flush();
            hold(index, cause);
        }

        /** Holds the record's partition from the record, or from an earlier one if held already. */
        private void hold(int index, RuntimeException cause) {
            if (cause != null) {
                ConsumerRecord<String, byte[]> record = records.get(index);
                log.warn("{}-{}@{} (key {}) failed transiently: {}", record.topic(), record.partition(), record.offset(),
                        record.key(), IntakeKafkaConfiguration.reason(cause));
            }
            held.merge(partition(index), records.get(index).offset(), Math::min);
        }

        /**
         * Record {@code index} is poison: dead-lettered now, and its session failed, once: stored as FAILED where
         * it is stored, and told to its client where a route is known (from the record itself for a start). What
         * of the session is pending in the group is written and sent first, so the error is its last message.
         */
        private void poison(int index, PipelineEvent event, String sessionId, RuntimeException cause) {
            if (sessionId != null && groupSessions.containsKey(sessionId)) {
                flush();
            }
            deadLetter(index, cause);
            if (sessionId == null || sessionId.isBlank()
                    || poisoned.putIfAbsent(sessionId, IntakeKafkaConfiguration.reason(cause)) != null) {
                return;
            }
            Route route = null;
            try {
                route = event instanceof SessionStarted started ? routeOf(started) : routes.get(sessionId);
                if (route == null) {
                    route = store.findRoute(sessionId).orElse(null);
                }
            } catch (RuntimeException e) {
                log.debug("session {}: no route to tell its client: {}", sessionId, e.toString());
            }
            routes.remove(sessionId);
            SessionFailed failed = new SessionFailed(sessionId, UNPROCESSABLE,
                    "the session's data could not be processed (a value the pipeline cannot store, or a corrupt record);"
                            + " the session has ended. Its stored finals are at GET /api/sessions/" + sessionId,
                    System.currentTimeMillis());
            try {
                metrics.dbWrite("failed", () -> {
                    store.fail(failed);
                    return null;
                });
            } catch (SessionNotStoredException e) {
                // its start was the poison: nothing stored to mark
            } catch (RuntimeException e) {
                log.warn("session {}: could not mark it failed: {}", sessionId, e.toString());
            }
            if (route == null) {
                log.warn("session {} failed on poison; no node is known to tell its client", sessionId);
                return;
            }
            deliver(index, route, failed);
            metrics.sessionFailed();
        }

        /**
         * Poison to the dead-letter topic: sent now, awaited with the deliveries before the listener returns; if
         * that topic does not take it, a transient failure of the record (retried from it).
         */
        private void deadLetter(int index, RuntimeException why) {
            ConsumerRecord<String, byte[]> record = records.get(index);
            sent.add(new Sent(index, new Delivery.Sending(deadLetters.poison(record, consumer, why), "dead letter",
                    record.key(), Topics.deadLetter(record.topic())), false));
        }

        private void handle(PipelineEvent event) {
            String sessionId = event.sessionId();
            // Java 17: no pattern matching for switch yet.
            if (event instanceof TranscriptFinal fin) {
                flushIfCompleting(sessionId);
                enqueue(fin, routeFor(fin));
                if (++groupFinals >= maxFinals) {
                    flush();
                }
            } else if (event instanceof TranscriptPartial || event instanceof SpeechStarted) {
                // Partials are unstable and replaced by the final, speech events are signals: delivered, never
                // stored; in order with the finals.
                flushIfCompleting(sessionId);
                enqueue(event, routeFor(event));
            } else if (event instanceof SessionStarted started) {
                if (started.userId() == null || started.userId().isBlank()) {
                    throw new MalformedEventException("session.started " + sessionId + " has no userId");
                }
                Route route = routeOf(started);
                if (groupSessions.containsKey(sessionId)) {
                    flush(); // a replayed session: what came before this start is written first
                }
                enqueue(started, route);
                routes.put(sessionId, route); // its finals in this group are delivered there
                watchers.sessionStarted(sessionId);
            } else if (event instanceof SessionCompleted completed) {
                flushIfCompleting(sessionId);
                enqueue(completed, routeFor(completed)); // after its finals, in the same transaction
                groupSessions.put(sessionId, true);
            } else if (event instanceof SessionEnded ended) {
                // The worker answers an end with SessionCompleted once its finals are out; that is what we act on.
                log.debug("session {} ended ({}), waiting for its completion", sessionId, ended.reason());
            } else {
                if (groupSessions.containsKey(sessionId)) {
                    flush(); // this session's pending events first: written and sent before what follows them
                }
                if (event instanceof SessionResumed resumed) {
                    onResumed(resumed);
                } else if (event instanceof WatchJoined joined) {
                    // after every result before it is stored (flushed above): the node's catch-up is complete
                    sent.add(new Sent(current, watchers.joined(joined,
                            routeOf(sessionId, joined.nodeId(), joined.replyTopic())), true));
                } else if (event instanceof SessionFailed failed) {
                    onFailed(failed);
                } else if (event instanceof AudioChunk) {
                    throw new MalformedEventException("audio.chunk does not belong on " + Topics.TRANSCRIPTS);
                }
            }
        }

        /** A session's completion is its last event in a group: anything after it goes in the next one. */
        private void flushIfCompleting(String sessionId) {
            if (Boolean.TRUE.equals(groupSessions.get(sessionId))) {
                flush();
            }
        }

        private void enqueue(PipelineEvent event, Route route) {
            group.add(new Pending(current, event, route));
            groupSessions.putIfAbsent(event.sessionId(), false);
        }

        /** Writes the group in one transaction, then sends it in record order (persist, then deliver). */
        private void flush() {
            if (group.isEmpty()) {
                return;
            }
            List<Pending> pending = new ArrayList<>(group);
            group.clear();
            groupSessions.clear();
            groupFinals = 0;
            if (databaseAway) {
                pending.forEach(p -> hold(p.index(), null));
                return;
            }
            List<TranscriptStore.Start> starts = new ArrayList<>();
            List<TranscriptFinal> finals = new ArrayList<>(pending.size());
            List<SessionCompleted> completions = new ArrayList<>();
            int writes = 0;
            for (Pending p : pending) {
                if (p.event() instanceof SessionStarted started) {
                    starts.add(new TranscriptStore.Start(started, p.route()));
                } else if (p.event() instanceof TranscriptFinal fin) {
                    finals.add(fin);
                } else if (p.event() instanceof SessionCompleted completed) {
                    completions.add(completed);
                } else {
                    continue;
                }
                writes++;
            }
            List<Completion> done = List.of();
            if (writes > 0) {
                try {
                    done = metrics.dbWrite(operation(starts, finals, completions),
                            () -> store.storeGroup(starts, finals, completions));
                } catch (RuntimeException e) {
                    if (Failures.isDatabaseAway(e)) { // one by one would wait for a connection each
                        databaseAway = true;
                        pending.forEach(p -> hold(p.index(), p == pending.get(0) ? e : null));
                        return;
                    }
                    oneByOne(pending, writes == 1 ? e : null, e);
                    return;
                }
                if (!finals.isEmpty()) {
                    metrics.finalsStored(finals.size());
                }
            }
            int completion = 0;
            for (Pending p : pending) {
                if (p.event() instanceof SessionCompleted completed) {
                    completed(completed, p, done.get(completion++));
                } else if (!(p.event() instanceof SessionStarted)) {
                    deliver(p.index(), p.route(), p.event());
                }
            }
        }

        /**
         * The group's transaction failed (rolled back): write its events one by one, delivering each after its
         * commit, so the record that fails is the one named and those before it are handled (a poison final
         * must not take its neighbours to the dead-letter topic): poison is dead-lettered and the others go on,
         * a transient failure is thrown. With one write, its failure is known already.
         */
        private void oneByOne(List<Pending> pending, RuntimeException knownFailure, RuntimeException groupFailure) {
            log.debug("writing {} events together failed, writing them one by one: {}", pending.size(),
                    groupFailure.toString());
            for (Pending p : pending) {
                PipelineEvent event = p.event();
                if (databaseAway || held.containsKey(partition(p.index()))) {
                    hold(p.index(), null); // after a record of its partition that failed: read again with it
                    continue;
                }
                String why = poisoned.get(event.sessionId());
                if (why != null) { // poisoned by an event before it in this group
                    deadLetter(p.index(), new PoisonedSessionException(event.sessionId(), why));
                    continue;
                }
                if (event instanceof TranscriptPartial || event instanceof SpeechStarted) {
                    deliver(p.index(), p.route(), event);
                    continue;
                }
                try {
                    if (knownFailure != null) {
                        throw knownFailure;
                    }
                    if (event instanceof SessionStarted started) {
                        metrics.dbWrite("started", () -> {
                            store.recordStarted(started, p.route());
                            return null;
                        });
                    } else if (event instanceof TranscriptFinal fin) {
                        metrics.dbWrite("final", () -> {
                            store.storeFinal(fin);
                            return null;
                        });
                        metrics.finalsStored(1);
                        deliver(p.index(), p.route(), fin);
                    } else if (event instanceof SessionCompleted completed) {
                        completed(completed, p, metrics.dbWrite("completed", () -> store.complete(completed)));
                    }
                } catch (RuntimeException e) {
                    if (event instanceof SessionStarted) {
                        routes.remove(event.sessionId()); // not stored: the route is read back once it is
                    }
                    if (Failures.isTransient(e)) {
                        databaseAway |= Failures.isDatabaseAway(e);
                        hold(p.index(), e);
                    } else {
                        poison(p.index(), event, event.sessionId(), e);
                    }
                }
            }
        }

        /** After the commit of a completion: tell the client, unless it was told before. */
        private void completed(SessionCompleted fromWorker, Pending p, Completion completion) {
            routes.remove(fromWorker.sessionId()); // done; a late replay reads the route back from the row
            if (completion.again()) {
                // A replayed session (worker takeover): its client was told already; a resume re-sends from the rows.
                return;
            }
            // The worker leaves text null; the whole text is built from what is stored, so it matches history.
            deliver(p.index(), p.route(), new SessionCompleted(fromWorker.sessionId(), completion.segments(),
                    completion.text(), System.currentTimeMillis()));
            metrics.sessionCompleted();
        }

        /**
         * Waits (at most the delivery timeout in all) for the acks of what the pass sent, deliveries and dead letters;
         * a send that failed holds its record's partition from that record (what came after it there is read again;
         * a final delivered twice is allowed by the contract, clients keep the last).
         */
        private void awaitSent() {
            if (sent.isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + delivery.timeout().toNanos();
            for (Sent s : sent) {
                try {
                    delivery.await(s.sending(), deadline);
                } catch (DeliveryFailedException e) {
                    if (s.toWatchers()) {
                        watchers.failed(s.sending(), e.getCause() == null ? e : e.getCause()); // never holds the speaker
                    } else {
                        hold(s.index(), e);
                    }
                }
            }
        }

        private void send(int index, Route route, PipelineEvent event) {
            Throwable known = unreachable.get(route.replyTopic());
            Delivery.Sending sending = known != null ? delivery.failed(route, event, known)
                    : delivery.send(route, event, records.get(index).headers());
            if (known == null && sending.ack().isCompletedExceptionally()) {
                // Failed before it left (each such send blocks up to max.block.ms): the others to that topic
                // would fail the same way; the first record not delivered is named once they are awaited.
                unreachable.put(route.replyTopic(), sending.ack().handle((ok, failure) -> failure).join());
            }
            sent.add(new Sent(index, sending, false));
        }

        /** To the speaker's node and to every node watching the session. */
        private void deliver(int index, Route route, PipelineEvent event) {
            send(index, route, event);
            for (Delivery.Sending toWatchers : watchers.fanOut(event, route, records.get(index).headers())) {
                sent.add(new Sent(index, toWatchers, true));
            }
        }

        private void send(Route route, PipelineEvent event) {
            send(current, route, event);
        }

        /**
         * A client reattached on another node (or the same): from here on its results go there, in order with
         * everything after the resume, and it first gets every stored final it has not seen, and completed if the
         * session has finished meanwhile. A session that cannot be resumed gets SESSION_NOT_FOUND on the new node.
         */
        private void onResumed(SessionResumed resumed) {
            Route route = routeOf(resumed.sessionId(), resumed.nodeId(), resumed.replyTopic());
            Optional<Transcript> stored = store.findTranscript(resumed.sessionId());
            if (stored.isEmpty() || !stored.get().userId().equals(resumed.userId())
                    || stored.get().status() == SessionStatus.FAILED) {
                send(route, new SessionFailed(resumed.sessionId(), "SESSION_NOT_FOUND",
                        "the session cannot be resumed (unknown, ended or failed); its stored finals are at GET /api/sessions/"
                                + resumed.sessionId(), System.currentTimeMillis()));
                metrics.resumed("refused");
                return;
            }
            Transcript transcript = stored.get();
            metrics.dbWrite("resumed", () -> {
                store.moveRoute(resumed.sessionId(), route);
                return null;
            });
            routes.put(resumed.sessionId(), route);
            long now = System.currentTimeMillis();
            for (Transcript.Segment segment : transcript.segments()) {
                if (segment.index() > resumed.lastIndex()) {
                    send(route, new TranscriptFinal(resumed.sessionId(), segment.index(), segment.text(),
                            segment.startMs(), segment.endMs(), null, 0, now, segment.words()));
                }
            }
            if (transcript.status() == SessionStatus.COMPLETED) {
                send(route, new SessionCompleted(resumed.sessionId(), transcript.segments().size(), transcript.text(), now));
                routes.remove(resumed.sessionId());
            }
            metrics.resumed(transcript.status() == SessionStatus.COMPLETED ? "completed" : "resumed");
        }

        private void onFailed(SessionFailed failed) {
            Route route = routeFor(failed);
            metrics.dbWrite("failed", () -> {
                store.fail(failed);
                return null;
            });
            deliver(current, route, failed);
            metrics.sessionFailed();
            routes.remove(failed.sessionId());
        }
    }

    /** An event waiting in the group (a start, final or completion to write; a partial to deliver), with its route. */
    private record Pending(int index, PipelineEvent event, Route route) {
    }

    /**
     * A delivery on its way, and the record (index in the poll) it is part of handling; one to a watching node
     * ({@code toWatchers}) that fails does not hold the record.
     */
    private record Sent(int index, Delivery.Sending sending, boolean toWatchers) {
    }

    /**
     * The {@code result.db.write} tag of a group's write: {@code final} when it holds finals (it is the time a
     * final takes to be stored, what the hop dashboards read), else what it holds.
     */
    private static String operation(List<?> starts, List<?> finals, List<?> completions) {
        if (!finals.isEmpty()) {
            return "final";
        }
        if (completions.isEmpty()) {
            return "started";
        }
        return starts.isEmpty() ? "completed" : "lifecycle";
    }

    /** The cache first, then the stored session; with neither there is nowhere to deliver: throw. */
    private Route routeFor(PipelineEvent event) {
        Route route = routes.get(event.sessionId());
        if (route == null) {
            route = store.findRoute(event.sessionId())
                    .orElseThrow(() -> new NoRouteException(event.sessionId(), EventType.of(event).token()));
            routes.put(event.sessionId(), route);
        }
        return route;
    }

    private static Route routeOf(SessionStarted started) {
        return routeOf(started.sessionId(), started.nodeId(), started.replyTopic());
    }

    private static Route routeOf(String sessionId, String nodeId, String replyTopic) {
        try {
            String ownTopic = Topics.delivery(nodeId); // validates the node id
            return new Route(nodeId, replyTopic == null || replyTopic.isBlank() ? ownTopic : replyTopic);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("session " + sessionId + ": " + e.getMessage(), e);
        }
    }
}
