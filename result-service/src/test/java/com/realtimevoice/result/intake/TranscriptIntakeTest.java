package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.EventHeaders;
import com.realtimevoice.events.EventRecords;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.PipelineEvent;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.SpeechStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.result.ResultServiceProperties;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.result.watch.WatchRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * The intake's rules in isolation: persist before deliver, finals grouped per transaction, where routes come
 * from, what is refused, and which record a failure names.
 */
class TranscriptIntakeTest {

    static final Route NODE_A = new Route("node-a", Topics.delivery("node-a"));
    static final Route NODE_B = new Route("node-b", Topics.delivery("node-b"));

    TranscriptStore store = mock(TranscriptStore.class);
    Delivery delivery = mock(Delivery.class);
    RouteCache routes = new RouteCache(2);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DeadLetters deadLetters = mock(DeadLetters.class);
    /** The shipped back-off; no container to pause in a unit test. */
    PartitionHolds holds = new PartitionHolds(
            new ResultServiceProperties.Retry(Duration.ofMillis(500), 2.0, Duration.ofSeconds(10)), null);

    WatchRegistry watchRegistry = mock(WatchRegistry.class);
    WatcherDelivery watchers = new WatcherDelivery(watchRegistry, store, delivery, meters);
    TranscriptIntake intake = new TranscriptIntake(
            store, routes, delivery, new ResultMetrics(meters), deadLetters, holds, watchers, 500, 100);

    @BeforeEach
    void deliveriesSucceedAndCompletionsJoinWhatIsGiven() {
        when(delivery.timeout()).thenReturn(Duration.ofSeconds(1));
        when(delivery.send(any(), any(), any())).thenAnswer(call -> acked(call.getArgument(1)));
        when(deadLetters.poison(any(), any(), any()))
                .thenAnswer(call -> java.util.concurrent.CompletableFuture.completedFuture(null));
        when(store.storeGroup(anyList(), anyList(), anyList())).thenAnswer(call -> {
            List<SessionCompleted> completions = call.getArgument(2);
            return completions.stream()
                    .map(c -> new TranscriptStore.Completion(c.segments(), "text of " + c.sessionId()))
                    .toList();
        });
    }

    @Test
    void aFinalIsStoredBeforeItIsDelivered() {
        routes.put("s1", NODE_A);
        TranscriptFinal fin = fin("s1", 0, "hi");

        intake.onBatch(records(fin));

        InOrder order = inOrder(store, delivery);
        order.verify(store).storeGroup(List.of(), List.of(fin), List.of());
        order.verify(delivery).send(eq(NODE_A), eq(fin), any());
        order.verify(delivery).await(any(), anyLong());
        assertThat(meters.get("result.finals.stored").counter().count()).isEqualTo(1);
        assertThat(meters.get("result.db.write")
                        .tag("operation", "final")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("result.db.batch.size").summary().count()).isEqualTo(1);
    }

    @Test
    void consecutiveFinalsAreStoredInOneTransactionThenDeliveredInRecordOrder() {
        routes.put("s1", NODE_A);
        routes.put("s2", NODE_B);
        TranscriptFinal a0 = fin("s1", 0, "hello");
        SpeechStarted b0speech = new SpeechStarted("s2", 400, 1); // speechEvents: delivered in order, never stored
        TranscriptPartial b0partial = new TranscriptPartial("s2", 0, "go", 1);
        TranscriptFinal b0 = fin("s2", 0, "good");
        TranscriptFinal a1 = fin("s1", 1, "world");
        TranscriptFinal a1again = fin("s1", 1, "world!"); // a replay in the same group: stored after, so it wins
        SessionCompleted a = new SessionCompleted("s1", 2, null, 9);
        TranscriptFinal b1 = fin("s2", 1, "morning");

        intake.onBatch(records(a0, b0speech, b0partial, b0, a1, a1again, a, b1));

        long aAt = completedAt(a);
        InOrder order = inOrder(store, delivery);
        // one transaction: the finals, then the completion of s1 after its finals
        order.verify(store).storeGroup(List.of(), List.of(a0, b0, a1, a1again, b1), List.of(a));
        order.verify(delivery).send(eq(NODE_A), eq(a0), any());
        order.verify(delivery).send(eq(NODE_B), eq(b0speech), any());
        order.verify(delivery)
                .send(eq(NODE_B), eq(b0partial), any()); // a partial waits in the group: never ahead of a final
        order.verify(delivery).send(eq(NODE_B), eq(b0), any());
        order.verify(delivery).send(eq(NODE_A), eq(a1), any());
        order.verify(delivery).send(eq(NODE_A), eq(a1again), any());
        order.verify(delivery).send(eq(NODE_A), eq(new SessionCompleted("s1", 2, "text of s1", aAt)), any());
        order.verify(delivery).send(eq(NODE_B), eq(b1), any());
        order.verify(delivery, times(8)).await(any(), anyLong()); // every send acked before the listener returns
        verify(store, never()).storeFinal(any());
        verify(store, never()).complete(any());
        assertThat(meters.get("result.finals.stored").counter().count()).isEqualTo(5);
        assertThat(meters.get("result.db.batch.size").summary().max()).isEqualTo(5);
        assertThat(meters.get("result.sessions.completed").counter().count()).isEqualTo(1);
        assertThat(meters.get("result.db.write")
                        .tag("operation", "final")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aGroupIsCappedAtTheConfiguredNumberOfFinals() {
        intake = new TranscriptIntake(
                store, routes, delivery, new ResultMetrics(meters), deadLetters, holds, watchers, 2, 100);
        routes.put("s1", NODE_A);
        List<TranscriptFinal> finals = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            finals.add(fin("s1", i, "w" + i));
        }

        intake.onBatch(records(finals.toArray(PipelineEvent[]::new)));

        InOrder order = inOrder(store, delivery);
        order.verify(store).storeGroup(List.of(), finals.subList(0, 2), List.of());
        order.verify(delivery).send(eq(NODE_A), eq(finals.get(1)), any());
        order.verify(store).storeGroup(List.of(), finals.subList(2, 4), List.of());
        order.verify(delivery).send(eq(NODE_A), eq(finals.get(3)), any());
        order.verify(store).storeGroup(List.of(), finals.subList(4, 5), List.of());
        order.verify(delivery).send(eq(NODE_A), eq(finals.get(4)), any());
        assertThat(meters.get("result.db.batch.size").summary().max()).isEqualTo(2);
        assertThat(meters.get("result.db.batch.size").summary().count()).isEqualTo(3);
    }

    @Test
    void startsAndCompletionsJoinTheGroupInTheirSessionsOrder() {
        SessionStarted s2 = started("s2", "node-b");
        TranscriptFinal b0 = fin("s2", 0, "two");
        SessionCompleted b = new SessionCompleted("s2", 1, null, 9);
        SessionStarted s3 = started("s3", "node-a");
        TranscriptFinal c0 = fin("s3", 0, "three");

        intake.onBatch(records(s2, b0, b, s3, c0));

        long bAt = completedAt(b);
        InOrder order = inOrder(store, delivery);
        order.verify(store)
                .storeGroup(
                        List.of(new TranscriptStore.Start(s2, NODE_B), new TranscriptStore.Start(s3, NODE_A)),
                        List.of(b0, c0),
                        List.of(b));
        order.verify(delivery).send(eq(NODE_B), eq(b0), any());
        order.verify(delivery).send(eq(NODE_B), eq(new SessionCompleted("s2", 1, "text of s2", bAt)), any());
        order.verify(delivery).send(eq(NODE_A), eq(c0), any());
        assertThat(routes.get("s2")).as("completed: the route leaves the cache").isNull();
        assertThat(routes.get("s3")).isEqualTo(NODE_A);
    }

    @Test
    void anEventAfterItsSessionsCompletionOrARestartGoesInTheNextGroup() {
        SessionStarted s1 = started("s1", "node-a");
        TranscriptFinal a0 = fin("s1", 0, "one");
        SessionCompleted a = new SessionCompleted("s1", 1, null, 9);
        SessionStarted again = started("s1", "node-a"); // the session replayed after a worker takeover
        TranscriptFinal a0again = fin("s1", 0, "one");
        SessionCompleted aAgain = new SessionCompleted("s1", 1, null, 10);
        when(store.storeGroup(anyList(), anyList(), anyList()))
                .thenReturn(List.of(new TranscriptStore.Completion(1, "one")))
                .thenReturn(List.of(new TranscriptStore.Completion(1, "one", true)));

        intake.onBatch(records(s1, a0, a, again, a0again, aAgain));

        InOrder order = inOrder(store, delivery);
        order.verify(store).storeGroup(List.of(new TranscriptStore.Start(s1, NODE_A)), List.of(a0), List.of(a));
        order.verify(delivery).send(eq(NODE_A), eq(a0), any());
        order.verify(delivery).send(eq(NODE_A), any(SessionCompleted.class), any());
        order.verify(store)
                .storeGroup(List.of(new TranscriptStore.Start(again, NODE_A)), List.of(a0again), List.of(aAgain));
        order.verify(delivery).send(eq(NODE_A), eq(a0again), any());
        verify(delivery, times(1)).send(eq(NODE_A), any(SessionCompleted.class), any()); // told once
    }

    @Test
    void aResumeOrFailureOfASessionInTheGroupFlushesItFirstButOtherSessionsDoNot() {
        routes.put("s1", NODE_A);
        TranscriptFinal a0 = fin("s1", 0, "one");
        TranscriptFinal b0 = fin("s2", 0, "two");
        when(store.findRoute("s2")).thenReturn(Optional.of(NODE_B));
        SessionFailed failedOther = new SessionFailed("s3", "ENGINE_UNAVAILABLE", "down", 1);
        when(store.findRoute("s3")).thenReturn(Optional.of(NODE_B));
        SessionFailed failedA = new SessionFailed("s1", "ENGINE_UNAVAILABLE", "down", 2);

        intake.onBatch(records(a0, failedOther, b0, failedA));

        InOrder order = inOrder(store, delivery);
        order.verify(store).fail(failedOther); // s3 had nothing pending: handled at once
        order.verify(delivery).send(eq(NODE_B), eq(failedOther), any());
        order.verify(store).storeGroup(List.of(), List.of(a0, b0), List.of()); // s1's final before s1's failure
        order.verify(delivery).send(eq(NODE_A), eq(a0), any());
        order.verify(delivery).send(eq(NODE_B), eq(b0), any());
        order.verify(store).fail(failedA);
        order.verify(delivery).send(eq(NODE_A), eq(failedA), any());
    }

    @Test
    void aFinalThatCannotBeStoredIsNeitherDeliveredNorSwallowed() {
        routes.put("s1", NODE_A);
        TranscriptFinal fin = fin("s1", 0, "hi");
        doThrow(new DataAccessResourceFailureException("database down"))
                .when(store)
                .storeGroup(anyList(), anyList(), anyList());
        List<ConsumerRecord<String, byte[]>> batch = records(fin);

        Map<TopicPartition, Long> held = intake.onBatch(batch);

        assertThat(held)
                .containsExactly(Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 0), 0L)); // read again from it
        verify(delivery, never()).send(any(), any(), any());
        verify(store, never()).storeFinal(any()); // the group was that one final: not tried twice
        verify(deadLetters, never()).poison(any(), any(), any());
    }

    @Test
    void aFinalTheDatabaseRefusesIsDeadLetteredAtOnceAndFailsOnlyItsSession() {
        routes.put("s1", NODE_A);
        routes.put("s2", NODE_B);
        TranscriptFinal f0 = fin("s1", 0, "fine");
        TranscriptFinal poison = fin("s1", 1, "too long for its column");
        TranscriptFinal other = fin("s2", 0, "bystander");
        TranscriptFinal f2 = fin("s1", 2, "after");
        DataIntegrityViolationException tooLong = new DataIntegrityViolationException("data too long");
        doThrow(tooLong).when(store).storeGroup(anyList(), anyList(), anyList());
        doThrow(tooLong).when(store).storeFinal(poison);
        List<ConsumerRecord<String, byte[]>> batch = records(f0, poison, other, f2);

        intake.onBatch(batch); // nothing thrown: nothing rewound

        InOrder order = inOrder(store, delivery, deadLetters);
        order.verify(store).storeFinal(f0);
        order.verify(delivery).send(eq(NODE_A), eq(f0), any());
        order.verify(store).storeFinal(poison);
        order.verify(deadLetters).poison(batch.get(1), null, tooLong);
        ArgumentCaptor<SessionFailed> failed = ArgumentCaptor.forClass(SessionFailed.class);
        order.verify(store).fail(failed.capture());
        order.verify(delivery).send(eq(NODE_A), eq(failed.getValue()), any());
        order.verify(store).storeFinal(other);
        order.verify(delivery).send(eq(NODE_B), eq(other), any());
        assertThat(failed.getValue().code()).isEqualTo(TranscriptIntake.UNPROCESSABLE);
        ArgumentCaptor<Exception> why = ArgumentCaptor.forClass(Exception.class);
        verify(deadLetters).poison(eq(batch.get(3)), any(), why.capture());
        assertThat(why.getValue()).isInstanceOf(PoisonedSessionException.class);
        verify(store, never()).storeFinal(f2);
        verify(delivery, never()).send(eq(NODE_A), eq(poison), any());
        verify(delivery, never()).send(eq(NODE_A), eq(f2), any());
    }

    @Test
    void aResultOfASessionNeverStartedIsDeadLetteredAtOnceAndTheOthersGoOn() {
        routes.put("s1", NODE_A);
        when(store.findRoute("ghost")).thenReturn(Optional.empty());
        TranscriptFinal f0 = fin("s1", 0, "zero");
        TranscriptFinal f1 = fin("s1", 1, "one");
        TranscriptFinal f2 = fin("s1", 2, "two");
        List<ConsumerRecord<String, byte[]>> batch = records(f0, f1, fin("ghost", 0, "orphan"), f2);

        intake.onBatch(batch);

        ArgumentCaptor<Exception> why = ArgumentCaptor.forClass(Exception.class);
        verify(deadLetters).poison(eq(batch.get(2)), any(), why.capture());
        assertThat(why.getValue()).isInstanceOf(NoRouteException.class).hasMessageContaining("ghost");
        // the ghost has no route: no one to tell; s1's finals are one group, the ghost flushed nothing of s1
        verify(store).storeGroup(List.of(), List.of(f0, f1, f2), List.of());
        InOrder order = inOrder(delivery);
        order.verify(delivery).send(eq(NODE_A), eq(f0), any());
        order.verify(delivery).send(eq(NODE_A), eq(f1), any());
        order.verify(delivery).send(eq(NODE_A), eq(f2), any());
        verify(delivery, times(3)).send(any(), any(), any());
    }

    @Test
    void aCorruptRecordIsDeadLetteredAtOnceAndItsSessionFailedAfterWhatCameBefore() {
        routes.put("s1", NODE_A);
        TranscriptFinal f0 = fin("s1", 0, "zero");
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.TYPE, "transcript.final".getBytes(StandardCharsets.UTF_8));
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records(f0));
        batch.add(new ConsumerRecord<>(
                Topics.TRANSCRIPTS,
                0,
                1,
                0L,
                TimestampType.CREATE_TIME,
                0,
                0,
                "s1",
                "{not json".getBytes(StandardCharsets.UTF_8),
                headers,
                Optional.empty()));
        batch.addAll(records(fin("s1", 1, "after")));

        intake.onBatch(batch);

        ArgumentCaptor<Exception> why = ArgumentCaptor.forClass(Exception.class);
        InOrder order = inOrder(store, delivery, deadLetters);
        order.verify(store).storeGroup(List.of(), List.of(f0), List.of());
        order.verify(delivery).send(eq(NODE_A), eq(f0), any());
        order.verify(deadLetters).poison(eq(batch.get(1)), any(), why.capture());
        ArgumentCaptor<PipelineEvent> told = ArgumentCaptor.forClass(PipelineEvent.class);
        order.verify(delivery).send(eq(NODE_A), told.capture(), any());
        order.verify(deadLetters).poison(eq(batch.get(2)), any(), any());
        assertThat(why.getValue()).isInstanceOf(MalformedEventException.class);
        assertThat(IntakeKafkaConfiguration.reason(why.getValue()))
                .startsWith("MalformedEventException: cannot decode");
        assertThat(((SessionFailed) told.getValue()).code()).isEqualTo(TranscriptIntake.UNPROCESSABLE);
        verify(store, times(1)).storeGroup(anyList(), anyList(), anyList());
    }

    @Test
    void aDeliveryThatFailsNamesItsRecordEvenWhenLaterRecordsWereHandled() {
        routes.put("s1", NODE_A);
        TranscriptFinal f0 = fin("s1", 0, "zero");
        TranscriptFinal f1 = fin("s1", 1, "one");
        TranscriptFinal f2 = fin("s1", 2, "two");
        Delivery.Sending refused = new Delivery.Sending(new CompletableFuture<>(), "transcript.final", "s1", "t");
        doReturn(refused).when(delivery).send(eq(NODE_A), eq(f1), any());
        doThrow(new DeliveryFailedException("broker said no", null))
                .when(delivery)
                .await(eq(refused), anyLong());
        List<ConsumerRecord<String, byte[]>> batch = records(f0, f1, f2);

        Map<TopicPartition, Long> held = intake.onBatch(batch);

        assertThat(held).containsExactly(Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 0), 1L));
    }

    @Test
    void aStartTheDatabaseRefusesIsDeadLetteredItsClientToldAndNoRouteLeftBehind() {
        SessionStarted refused = started("s1", "node-a");
        DataIntegrityViolationException tooLong = new DataIntegrityViolationException("format too long");
        doThrow(tooLong).when(store).storeGroup(anyList(), anyList(), anyList());
        doThrow(tooLong).when(store).recordStarted(refused, NODE_A);
        doThrow(new com.realtimevoice.result.transcript.SessionNotStoredException("s1"))
                .when(store)
                .fail(any());
        List<ConsumerRecord<String, byte[]>> batch = records(started("s0", "node-b"), refused, fin("s1", 0, "x"));

        intake.onBatch(batch);

        verify(store).recordStarted(any(), eq(NODE_B)); // the one before it, on its own
        verify(deadLetters).poison(batch.get(1), null, tooLong);
        ArgumentCaptor<PipelineEvent> told = ArgumentCaptor.forClass(PipelineEvent.class);
        verify(delivery).send(eq(NODE_A), told.capture(), any()); // the route of the refused start itself
        assertThat(((SessionFailed) told.getValue()).code()).isEqualTo(TranscriptIntake.UNPROCESSABLE);
        verify(deadLetters).poison(eq(batch.get(2)), any(), any(PoisonedSessionException.class));
        assertThat(routes.get("s1")).isNull();
        assertThat(routes.get("s0")).isEqualTo(NODE_B);
        verify(delivery, times(1)).send(any(), any(), any());
    }

    @Test
    void afterASendThatFailedAtOnceTheOthersToThatTopicAreNotTriedButTheOtherTopicsAre() {
        routes.put("s1", NODE_A);
        routes.put("s2", NODE_B);
        TranscriptFinal a0 = fin("s1", 0, "zero");
        TranscriptFinal b0 = fin("s2", 0, "uno");
        TranscriptFinal a1 = fin("s1", 1, "one");
        RuntimeException noMetadata =
                new RuntimeException("Topic asr.delivery.v1.node-a not present in metadata after 10000 ms");
        Delivery.Sending refused = new Delivery.Sending(
                CompletableFuture.failedFuture(noMetadata), "transcript.final", "s1", NODE_A.replyTopic());
        doReturn(refused).when(delivery).send(eq(NODE_A), eq(a0), any());
        when(delivery.failed(eq(NODE_A), any(), eq(noMetadata))).thenReturn(refused);
        doThrow(new DeliveryFailedException("gone", noMetadata)).when(delivery).await(eq(refused), anyLong());
        List<ConsumerRecord<String, byte[]>> batch = records(a0, b0, a1);

        Map<TopicPartition, Long> held = intake.onBatch(batch);

        assertThat(held).containsExactly(Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 0), 0L));
        verify(delivery).send(eq(NODE_B), eq(b0), any());
        verify(delivery, never()).send(eq(NODE_A), eq(a1), any()); // would block max.block.ms again for nothing
        verify(delivery).failed(NODE_A, a1, noMetadata);
    }

    @Test
    void aLockWaitHoldsOnlyItsPartitionAndIsNeitherDeadLetteredNorRewoundForTheOthers() {
        routes.put("s1", NODE_A);
        routes.put("s2", NODE_B);
        TranscriptFinal locked = fin("s1", 0, "row locked");
        TranscriptFinal lockedNext = fin("s1", 1, "after it");
        TranscriptFinal other = fin("s2", 0, "other partition");
        TranscriptFinal otherNext = fin("s2", 1, "still flowing");
        CannotAcquireLockException lockWait = new CannotAcquireLockException(
                "Lock wait timeout exceeded",
                new java.sql.SQLTransientException(
                        "Lock wait timeout exceeded; try restarting transaction", "40001", 1205));
        doThrow(lockWait).when(store).storeGroup(anyList(), anyList(), anyList());
        doThrow(lockWait).when(store).storeFinal(locked);
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(recordsOn(0, 40, locked));
        batch.addAll(recordsOn(1, 70, other));
        batch.addAll(recordsOn(0, 41, lockedNext));
        batch.addAll(recordsOn(1, 71, otherNext));

        Map<TopicPartition, Long> held = intake.onBatch(batch);

        assertThat(held).containsExactly(Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 0), 40L));
        verify(store).storeFinal(other);
        verify(store).storeFinal(otherNext);
        verify(store, never()).storeFinal(lockedNext); // waits behind the record that failed
        verify(delivery).send(eq(NODE_B), eq(other), any());
        verify(delivery).send(eq(NODE_B), eq(otherNext), any());
        verify(delivery, never()).send(eq(NODE_A), any(), any());
        verify(deadLetters, never()).poison(any(), any(), any());
        verify(store, never()).fail(any());
        assertThat(holds.backOff(1))
                .isEqualTo(Duration.ofMillis(500)); // the held partition's wait: the shipped back-off
    }

    @Test
    void withTheDatabaseAwayEveryPartitionWaitsAfterOneConnectionAttempt() {
        routes.put("s1", NODE_A);
        routes.put("s2", NODE_B);
        doThrow(new CannotGetJdbcConnectionException(
                        "Failed to obtain JDBC Connection",
                        new java.sql.SQLTransientConnectionException(
                                "result-service - Connection is not available, request timed out after 30000ms")))
                .when(store)
                .storeGroup(anyList(), anyList(), anyList());
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(recordsOn(0, 5, fin("s1", 0, "a")));
        batch.addAll(recordsOn(1, 9, fin("s2", 0, "b")));
        batch.addAll(recordsOn(2, 3, new TranscriptPartial("s1", 1, "c", 1))); // a partial waits with the finals

        Map<TopicPartition, Long> held = intake.onBatch(batch);

        assertThat(held)
                .containsOnly(
                        Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 0), 5L),
                        Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 1), 9L),
                        Map.entry(new TopicPartition(Topics.TRANSCRIPTS, 2), 3L));
        verify(store, times(1)).storeGroup(anyList(), anyList(), anyList());
        verify(store, never()).storeFinal(any());
        verify(store, never()).fail(any());
        verify(delivery, never()).send(any(), any(), any());
        verify(deadLetters, never()).poison(any(), any(), any());
    }

    @Test
    void aHeldPartitionWaitsLongerEachAttemptUpToTheCapAndStartsOverOnceARecordPasses() {
        TopicPartition p = new TopicPartition(Topics.TRANSCRIPTS, 0);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waits.add(holds.hold(null, p, 1).backOff().toMillis());
        }
        assertThat(waits).containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L);
        holds.passed(p);
        assertThat(holds.hold(null, p, 2).attempt()).isEqualTo(1);
    }

    @Test
    void theRouteComesFromTheStartAndFallsBackToTheDatabase() {
        intake.onBatch(records(started("s1", "node-b")));
        verify(store)
                .storeGroup(List.of(new TranscriptStore.Start(started("s1", "node-b"), NODE_B)), List.of(), List.of());
        assertThat(routes.get("s1")).isEqualTo(NODE_B);

        when(store.findRoute("s2")).thenReturn(Optional.of(NODE_A)); // not in the cache: e.g. after a restart
        TranscriptPartial partial = new TranscriptPartial("s2", 0, "h", 0);
        intake.onBatch(records(partial));
        verify(delivery).send(eq(NODE_A), eq(partial), any());
        verify(store, never()).storeFinals(anyList());
        verify(store, times(1)).storeGroup(anyList(), anyList(), anyList()); // the start only: a partial writes nothing
    }

    @Test
    void withoutAnyRouteTheEventIsDeadLetteredInsteadOfBeingSkipped() {
        when(store.findRoute("ghost")).thenReturn(Optional.empty());
        List<ConsumerRecord<String, byte[]>> batch = records(new TranscriptPartial("ghost", 0, "h", 0));

        intake.onBatch(batch);

        verify(deadLetters).poison(eq(batch.get(0)), any(), any(NoRouteException.class));
        verify(delivery, never()).send(any(), any(), any());
    }

    @Test
    void completionDeliversTheStoredTextNotTheWorkersNull() {
        routes.put("s1", NODE_A);
        when(store.storeGroup(List.of(), List.of(), List.of(new SessionCompleted("s1", 2, null, 1))))
                .thenReturn(List.of(new TranscriptStore.Completion(2, "hello world")));

        intake.onBatch(records(new SessionCompleted("s1", 2, null, 1)));

        ArgumentCaptor<SessionCompleted> sent = ArgumentCaptor.forClass(SessionCompleted.class);
        verify(delivery).send(eq(NODE_A), sent.capture(), any());
        assertThat(sent.getValue().text()).isEqualTo("hello world");
        assertThat(sent.getValue().segments()).isEqualTo(2);
        assertThat(meters.get("result.sessions.completed").counter().count()).isEqualTo(1);
    }

    @Test
    void aStartWithABadNodeIdOrAudioOnTheTranscriptsTopicIsMalformed() {
        List<ConsumerRecord<String, byte[]>> badNode =
                records(new SessionStarted("s1", "u", "node/../x", null, "pcm", 16000, null, null, true, false, 0));
        intake.onBatch(badNode);
        ArgumentCaptor<Exception> why = ArgumentCaptor.forClass(Exception.class);
        verify(deadLetters).poison(eq(badNode.get(0)), any(), why.capture());
        assertThat(why.getValue()).isInstanceOf(MalformedEventException.class).hasMessageContaining("node id");

        List<ConsumerRecord<String, byte[]>> audio = records(new AudioChunk("s2", 0, 0, "pcm", 16000, 0, new byte[2]));
        intake.onBatch(audio);
        verify(deadLetters).poison(eq(audio.get(0)), any(), any(MalformedEventException.class));
        verify(delivery, never()).send(any(), any(), any()); // no route known for either
    }

    @Test
    void theRouteCacheIsBounded() {
        routes.put("a", NODE_A);
        routes.put("b", NODE_A);
        routes.get("a"); // recently used
        routes.put("c", NODE_A);
        assertThat(routes.size()).isEqualTo(2);
        assertThat(routes.get("b")).isNull();
        assertThat(routes.get("a")).isEqualTo(NODE_A);
    }

    /** The events as one poll's records of the transcripts topic, partition 0, offsets from 0. */
    /** Consecutive records of one partition, from {@code offset}. */
    static List<ConsumerRecord<String, byte[]>> recordsOn(int partition, long offset, PipelineEvent... events) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (PipelineEvent event : events) {
            ProducerRecord<String, byte[]> r = EventRecords.toRecord(Topics.TRANSCRIPTS, event);
            records.add(new ConsumerRecord<>(
                    Topics.TRANSCRIPTS,
                    partition,
                    offset + records.size(),
                    0L,
                    TimestampType.CREATE_TIME,
                    0,
                    0,
                    r.key(),
                    r.value(),
                    r.headers(),
                    Optional.empty()));
        }
        return records;
    }

    static List<ConsumerRecord<String, byte[]>> records(PipelineEvent... events) {
        return recordsOn(0, 0, events);
    }

    /** The completion time the intake puts on what it delivers is its own: take it from what was sent. */
    @Test
    void aWatchedSessionsResultsGoToEachWatchingNodeOnceAndNotTwiceToTheSpeakersNode() {
        routes.put("s1", NODE_A);
        Route nodeC = new Route("node-c", Topics.delivery("node-c"));
        when(watchRegistry.watchingNodes("s1")).thenReturn(java.util.Set.of(NODE_A, nodeC)); // A: speaker and watchers
        TranscriptPartial partial = new TranscriptPartial("s1", 0, "hel", 1);
        TranscriptFinal fin = fin("s1", 0, "hello");
        SpeechStarted speech = new SpeechStarted("s1", 10, 1); // not shown to watchers

        intake.onBatch(records(speech, partial, fin));

        verify(delivery).send(eq(NODE_A), eq(fin), any());
        verify(delivery).send(eq(nodeC), eq(fin), any());
        verify(delivery).send(eq(nodeC), eq(partial), any());
        verify(delivery, never()).send(eq(nodeC), eq(speech), any());
        verify(delivery, times(1)).send(eq(NODE_A), eq(fin), any());
    }

    @Test
    void aWatchingNodeThatCannotBeReachedIsForgottenWithoutHoldingTheSpeaker() {
        routes.put("s1", NODE_A);
        Route gone = new Route("node-gone", Topics.delivery("node-gone"));
        when(watchRegistry.watchingNodes("s1")).thenReturn(java.util.Set.of(gone));
        TranscriptFinal fin = fin("s1", 0, "hello");
        org.mockito.Mockito.doReturn(new Delivery.Sending(
                        java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no such topic")),
                        "transcript.final",
                        "s1",
                        gone.replyTopic()))
                .when(delivery)
                .send(eq(gone), any(), any());
        org.mockito.Mockito.doAnswer(call -> {
                    Delivery.Sending s = call.getArgument(0);
                    if (s.ack().isCompletedExceptionally()) {
                        throw new DeliveryFailedException("failed", new IllegalStateException("no such topic"));
                    }
                    return null;
                })
                .when(delivery)
                .await(any(), anyLong());

        Map<TopicPartition, Long> held = intake.onBatch(records(fin));

        assertThat(held).isEmpty(); // the speaker's partition goes on
        verify(delivery).send(eq(NODE_A), eq(fin), any());
        verify(watchRegistry).forget("s1", gone.replyTopic());
        assertThat(meters.get("result.watch.deliveries.failed").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aJoiningNodeIsRegisteredAndGetsWhatIsStoredIncludingFinalsJustBeforeTheJoin() {
        routes.put("s1", NODE_A);
        Route nodeC = new Route("node-c", Topics.delivery("node-c"));
        TranscriptFinal f0 = fin("s1", 0, "hello");
        com.realtimevoice.events.WatchJoined joined =
                new com.realtimevoice.events.WatchJoined("s1", "node-c", nodeC.replyTopic(), 5);
        when(watchRegistry.register("s1", nodeC)).thenReturn(true);
        when(watchRegistry.grant("s1")).thenReturn(java.util.Optional.of(new WatchRegistry.Grant("u1", 3)));
        when(store.findTranscript("s1"))
                .thenReturn(java.util.Optional.of(new com.realtimevoice.result.transcript.Transcript(
                        "s1",
                        "u1",
                        com.realtimevoice.result.transcript.SessionStatus.STARTED,
                        null,
                        java.time.Instant.now(),
                        null,
                        List.of(new com.realtimevoice.result.transcript.Transcript.Segment(0, "hello", 120, 1480)))));

        intake.onBatch(records(f0, joined));

        InOrder order = inOrder(store, watchRegistry, delivery);
        order.verify(store).storeGroup(List.of(), List.of(f0), List.of()); // the final before the join is stored first
        order.verify(watchRegistry).register("s1", nodeC);
        ArgumentCaptor<PipelineEvent> synced = ArgumentCaptor.forClass(PipelineEvent.class);
        order.verify(delivery).send(eq(nodeC), synced.capture(), any());
        com.realtimevoice.events.WatchSynced sync = (com.realtimevoice.events.WatchSynced) synced.getValue();
        assertThat(sync.epoch()).isEqualTo(3);
        assertThat(sync.status()).isEqualTo("STARTED");
        assertThat(sync.finals())
                .containsExactly(new com.realtimevoice.events.WatchSynced.Final(0, "hello", 120, 1480));
    }

    private long completedAt(SessionCompleted fromWorker) {
        ArgumentCaptor<PipelineEvent> sent = ArgumentCaptor.forClass(PipelineEvent.class);
        verify(delivery, org.mockito.Mockito.atLeastOnce()).send(any(), sent.capture(), any());
        return sent.getAllValues().stream()
                .filter(e -> e instanceof SessionCompleted c && c.sessionId().equals(fromWorker.sessionId()))
                .mapToLong(e -> ((SessionCompleted) e).completedAtMs())
                .findFirst()
                .orElse(-1);
    }

    private static Delivery.Sending acked(PipelineEvent event) {
        return new Delivery.Sending(CompletableFuture.completedFuture(null), "t", event.sessionId(), "topic");
    }

    private static TranscriptFinal fin(String session, int index, String text) {
        return new TranscriptFinal(session, index, text, index * 1000L, index * 1000L + 500, "vosk", 0, 0);
    }

    private static SessionStarted started(String session, String node) {
        return new SessionStarted(session, "u", node, Topics.delivery(node), "pcm", 16000, null, null, true, false, 0);
    }
}
