package com.realtimevoice.result.intake;

import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.Topics;
import com.realtimevoice.result.transcript.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a poll sends, to await before the listener returns: results to the speaker's node ({@link Delivery}), to the
 * nodes watching the session ({@link WatcherDelivery}) and poison to the dead-letter topic ({@link DeadLetters}).
 * The one failure policy of the poll's sends: one that is not acked in time holds its record's partition from that
 * record, except a send to a watching node, which forgets that node instead (the speaker never waits on a watcher).
 */
final class PollSends {

    private final Poll poll;
    private final Delivery delivery;
    private final WatcherDelivery watchers;
    private final DeadLetters deadLetters;
    private final List<Sent> sent = new ArrayList<>();
    /** Reply topics a send to failed at once in this poll, with why. */
    private final Map<String, Throwable> unreachable = new HashMap<>();

    PollSends(Poll poll, Delivery delivery, WatcherDelivery watchers, DeadLetters deadLetters) {
        this.poll = poll;
        this.delivery = delivery;
        this.watchers = watchers;
        this.deadLetters = deadLetters;
    }

    /** To the speaker's node and to every node watching the session. */
    void deliver(int index, Route route, PipelineEvent event) {
        send(index, route, event);
        for (Delivery.Sending toWatchers :
                watchers.fanOut(event, route, poll.record(index).headers())) {
            sent.add(new Sent(index, toWatchers, true));
        }
    }

    /** To the speaker's node only (a resume's catch-up, or its refusal), for the record being handled. */
    void send(Route route, PipelineEvent event) {
        send(poll.current(), route, event);
    }

    private void send(int index, Route route, PipelineEvent event) {
        Throwable known = unreachable.get(route.replyTopic());
        Delivery.Sending sending = known != null
                ? delivery.failed(route, event, known)
                : delivery.send(route, event, poll.record(index).headers());
        if (known == null && sending.ack().isCompletedExceptionally()) {
            // Failed before it left (each such send blocks up to max.block.ms): the others to that topic
            // would fail the same way; the first record not delivered is named once they are awaited.
            unreachable.put(
                    route.replyTopic(),
                    sending.ack().handle((ok, failure) -> failure).join());
        }
        sent.add(new Sent(index, sending, false));
    }

    /** A watching node's catch-up, for the record being handled: a failure forgets that node, never holds. */
    void toWatchingNode(Delivery.Sending sending) {
        sent.add(new Sent(poll.current(), sending, true));
    }

    /**
     * Poison to the dead-letter topic: sent now, awaited with the deliveries before the listener returns; if
     * that topic does not take it, a transient failure of the record (retried from it).
     */
    void deadLetter(int index, RuntimeException why) {
        ConsumerRecord<String, byte[]> record = poll.record(index);
        sent.add(new Sent(
                index,
                new Delivery.Sending(
                        deadLetters.poison(record, poll.consumer(), why),
                        "dead letter",
                        record.key(),
                        Topics.deadLetter(record.topic())),
                false));
    }

    /**
     * Waits (at most the delivery timeout in all) for the acks of what the poll sent, deliveries and dead letters;
     * a send that failed holds its record's partition from that record (what came after it there is read again;
     * a final delivered twice is allowed by the contract, clients keep the last).
     */
    void awaitAll() {
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
                    poll.hold(s.index(), e);
                }
            }
        }
    }

    /**
     * A delivery on its way, and the record (index in the poll) it is part of handling; one to a watching node
     * ({@code toWatchers}) that fails does not hold the record.
     */
    private record Sent(int index, Delivery.Sending sending, boolean toWatchers) {}
}
