package com.realtimevoice.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.ingest.stream.StreamConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A watched session's rules in isolation: nothing before the catch-up, then each final once and in order whatever
 * mix of catch-up and live finals arrives; a late watcher caught up from what the node kept; revoked tokens closed.
 */
class WatchedSessionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A socket that records what is sent to it (the plain-send path of StreamConnection) and its close. */
    static final class Socket {
        final List<JsonNode> sent = new CopyOnWriteArrayList<>();
        final List<CloseStatus> closes = new CopyOnWriteArrayList<>();
        final StreamConnection connection;

        Socket(String id) throws Exception {
            WebSocketSession ws = mock(WebSocketSession.class);
            when(ws.getId()).thenReturn(id);
            doAnswer(call -> {
                        sent.add(JSON.readTree(((TextMessage) call.getArgument(0)).getPayload()));
                        return null;
                    })
                    .when(ws)
                    .sendMessage(any());
            doAnswer(call -> {
                        closes.add(call.getArgument(0));
                        return null;
                    })
                    .when(ws)
                    .close(any());
            connection = new StreamConnection(ws, Duration.ofSeconds(10), 512 * 1024);
        }

        List<Integer> finals() {
            List<Integer> indexes = new ArrayList<>();
            sent.stream()
                    .filter(m -> m.path("type").asString().equals("final"))
                    .forEach(m -> indexes.add(m.get("index").asInt()));
            return indexes;
        }

        /** Closes run on the connection's control pool: waited for a little. */
        List<CloseStatus> closes() throws InterruptedException {
            for (int i = 0; i < 100 && closes.isEmpty(); i++) {
                Thread.sleep(20);
            }
            return closes;
        }

        String lastType() {
            return sent.isEmpty()
                    ? null
                    : sent.get(sent.size() - 1).path("type").asString();
        }
    }

    private static TranscriptFinal fin(int index) {
        return new TranscriptFinal("s1", index, "text " + index, index * 1000L, index * 1000L + 900, "vosk", 0, 0);
    }

    private static WatchSynced synced(int epoch, String status, int... indexes) {
        List<WatchSynced.Final> finals = new ArrayList<>();
        for (int i : indexes) {
            finals.add(new WatchSynced.Final(i, "text " + i, i * 1000L, i * 1000L + 900));
        }
        return new WatchSynced("s1", epoch, status, finals, "COMPLETED".equals(status) ? "all" : null, 1);
    }

    @Test
    void nothingBeforeTheCatchUpThenEveryFinalOnceInOrder() throws Exception {
        WatchedSession session = new WatchedSession("s1");
        Socket a = new Socket("a");
        session.add(new Watcher(a.connection, 0, -1));
        session.onFinal(fin(2)); // live, before the catch-up came: kept, not sent
        session.onPartial(new TranscriptPartial("s1", 3, "te", 1));
        assertThat(a.sent).isEmpty();

        session.synced(synced(0, "STARTED", 0, 1, 2)); // the stored finals, 2 among them
        session.onFinal(fin(3));
        session.onPartial(new TranscriptPartial("s1", 4, "te", 1));
        session.onFinal(fin(3)); // re-sent after a failover: not shown twice
        assertThat(a.finals()).containsExactly(0, 1, 2, 3);
        assertThat(a.lastType()).isEqualTo("partial");

        Socket late = new Socket("late"); // joins on this node later: caught up from what the node kept
        session.add(new Watcher(late.connection, 0, 1)); // resuming after final 1
        assertThat(late.finals()).containsExactly(2, 3);

        session.onCompleted(new SessionCompleted("s1", 4, "text 0 text 1 text 2 text 3", 1));
        for (Socket s : List.of(a, late)) {
            assertThat(s.lastType()).isEqualTo("completed");
            assertThat(s.closes()).containsExactly(CloseStatus.NORMAL);
        }
        assertThat(session.isEmpty()).isTrue();
    }

    @Test
    void aCompletedSessionGivesItsFinalsThenCompletedThenCloses() throws Exception {
        WatchedSession session = new WatchedSession("s1");
        Socket a = new Socket("a");
        session.add(new Watcher(a.connection, 0, -1));
        session.synced(synced(0, "COMPLETED", 0, 1));
        assertThat(a.finals()).containsExactly(0, 1);
        assertThat(a.sent.get(2).get("text").asString()).isEqualTo("all");
        assertThat(a.closes()).containsExactly(CloseStatus.NORMAL);
    }

    @Test
    void tokensOfAnOlderEpochAreRefusedAndRevokingClosesThem() throws Exception {
        WatchedSession session = new WatchedSession("s1");
        Socket old = new Socket("old");
        Socket current = new Socket("current");
        session.add(new Watcher(old.connection, 0, -1));
        session.add(new Watcher(current.connection, 1, -1));
        session.synced(synced(1, "STARTED", 0));
        assertThat(old.finals()).isEmpty();
        assertThat(old.sent.get(0).get("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(old.closes()).extracting(CloseStatus::getCode).containsExactly(4001);
        assertThat(current.finals()).containsExactly(0);

        assertThat(session.revoked(2)).isEqualTo(1);
        assertThat(current.closes()).extracting(CloseStatus::getCode).containsExactly(4001);
        assertThat(session.isEmpty()).isTrue();
    }
}
