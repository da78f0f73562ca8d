package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Optional;

import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.MalformedEventException;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.Topics;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.TranscriptStore;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.springframework.dao.DataAccessResourceFailureException;

/** The intake's rules in isolation: persist before deliver, where routes come from, what is refused. */
class TranscriptIntakeTest {

    static final Route NODE_A = new Route("node-a", Topics.delivery("node-a"));

    TranscriptStore store = mock(TranscriptStore.class);
    Delivery delivery = mock(Delivery.class);
    RouteCache routes = new RouteCache(2);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TranscriptIntake intake = new TranscriptIntake(store, routes, delivery, new ResultMetrics(meters));

    @Test
    void aFinalIsStoredBeforeItIsDelivered() {
        routes.put("s1", NODE_A);
        TranscriptFinal fin = new TranscriptFinal("s1", 0, "hi", 0, 500, "vosk", 0, 0);

        intake.handle(fin);

        InOrder order = inOrder(store, delivery);
        order.verify(store).storeFinal(fin);
        order.verify(delivery).deliver(NODE_A, fin);
        assertThat(meters.get("result.finals.stored").counter().count()).isEqualTo(1);
        assertThat(meters.get("result.db.write").tag("operation", "final").timer().count()).isEqualTo(1);
    }

    @Test
    void aFinalThatCannotBeStoredIsNeitherDeliveredNorSwallowed() {
        routes.put("s1", NODE_A);
        TranscriptFinal fin = new TranscriptFinal("s1", 0, "hi", 0, 500, "vosk", 0, 0);
        doThrow(new DataAccessResourceFailureException("database down")).when(store).storeFinal(fin);

        assertThatThrownBy(() -> intake.handle(fin)).isInstanceOf(DataAccessResourceFailureException.class);
        verify(delivery, never()).deliver(any(), any());
    }

    @Test
    void theRouteComesFromTheStartAndFallsBackToTheDatabase() {
        intake.handle(new SessionStarted("s1", "u", "node-b", Topics.delivery("node-b"), "pcm", 16000, null, null,
                true, false, 0));
        assertThat(routes.get("s1")).isEqualTo(new Route("node-b", Topics.delivery("node-b")));

        when(store.findRoute("s2")).thenReturn(Optional.of(NODE_A)); // not in the cache: e.g. after a restart
        TranscriptPartial partial = new TranscriptPartial("s2", 0, "h", 0);
        intake.handle(partial);
        verify(delivery).deliver(NODE_A, partial);
        verify(store, never()).storeFinal(any());
    }

    @Test
    void withoutAnyRouteTheEventFailsInsteadOfBeingSkipped() {
        when(store.findRoute("ghost")).thenReturn(Optional.empty());

        assertThatThrownBy(() -> intake.handle(new TranscriptPartial("ghost", 0, "h", 0)))
                .isInstanceOf(NoRouteException.class).hasMessageContaining("ghost");
        verify(delivery, never()).deliver(any(), any());
    }

    @Test
    void completionDeliversTheStoredTextNotTheWorkersNull() {
        routes.put("s1", NODE_A);
        when(store.complete(any())).thenReturn(new TranscriptStore.Completion(2, "hello world"));

        intake.handle(new SessionCompleted("s1", 2, null, 1));

        ArgumentCaptor<SessionCompleted> sent = ArgumentCaptor.forClass(SessionCompleted.class);
        verify(delivery).deliver(org.mockito.ArgumentMatchers.eq(NODE_A), sent.capture());
        assertThat(sent.getValue().text()).isEqualTo("hello world");
        assertThat(sent.getValue().segments()).isEqualTo(2);
        assertThat(meters.get("result.sessions.completed").counter().count()).isEqualTo(1);
    }

    @Test
    void aStartWithABadNodeIdOrAudioOnTheTranscriptsTopicIsMalformed() {
        assertThatThrownBy(() -> intake.handle(new SessionStarted("s1", "u", "node/../x", null, "pcm", 16000, null,
                null, true, false, 0))).isInstanceOf(MalformedEventException.class).hasMessageContaining("node id");
        assertThatThrownBy(() -> intake.handle(new AudioChunk("s1", 0, 0, "pcm", 16000, 0, new byte[2])))
                .isInstanceOf(MalformedEventException.class);
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
}
