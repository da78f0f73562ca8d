package com.realtimevoice.ingest.watch;

import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.events.WatchSynced;
import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.socket.CloseStatus;

/**
 * One session watched on this node, and its local watchers. Until result-service's catch-up ({@link WatchSynced})
 * arrives it is SYNCING: live results are kept, not sent; the catch-up then gives every watcher the finals after the
 * last one it has, in index order, and from then on (LIVE) results go out as they come. Finals are kept (index to
 * the message as sent), so a watcher joining later on this node catches up here without asking result-service.
 * Each message is written once and queued to every watcher. All methods run under this object's lock: results
 * arrive on the delivery listener, joins and leaves on socket threads.
 */
final class WatchedSession {

    enum State {
        SYNCING,
        LIVE,
        ENDED
    }

    static final CloseStatus REVOKED = new CloseStatus(CloseCode.TOKEN_EXPIRED.code, "watch token revoked");

    private final String sessionId;
    private State state = State.SYNCING;
    /** The session's watch epoch once known (the catch-up, a revocation); tokens below it are refused. */
    private int epoch = -1;

    private final TreeMap<Integer, String> finals = new TreeMap<>();
    /** The last message of an ended session (completed, or an error) and the close after it. */
    private String endMessage;

    private CloseStatus endClose;
    private final Map<String, Watcher> watchers = new LinkedHashMap<>();

    WatchedSession(String sessionId) {
        this.sessionId = sessionId;
    }

    synchronized int size() {
        return watchers.size();
    }

    synchronized boolean isEmpty() {
        return watchers.isEmpty();
    }

    /** Adds a watcher: caught up at once when the session is live here, else when the catch-up comes. */
    synchronized void add(Watcher watcher) {
        watchers.put(watcher.id(), watcher);
        if (state != State.SYNCING) {
            admit(watcher);
        }
    }

    synchronized void remove(String watcherId) {
        watchers.remove(watcherId);
    }

    /** result-service's catch-up: what is stored so far, the session's status and its watch epoch. */
    synchronized void synced(WatchSynced synced) {
        epoch = Math.max(epoch, synced.epoch());
        for (WatchSynced.Final f : synced.finals()) {
            // a final that came live meanwhile is at least as new as the stored one
            finals.putIfAbsent(
                    f.index(),
                    ProtocolCodec.write(
                            new ServerMessage.Final(sessionId, f.index(), f.text(), f.startMs(), f.endMs())));
        }
        switch (synced.status()) {
            case "COMPLETED" ->
                end(
                        ProtocolCodec.write(new ServerMessage.Completed(
                                sessionId, synced.text() != null ? synced.text() : "", finals.size())),
                        CloseStatus.NORMAL);
            case "FAILED" ->
                end(
                        ProtocolCodec.write(new ServerMessage.Error(
                                ErrorCode.SESSION_NOT_FOUND.name(),
                                "the session has failed; its stored finals were sent",
                                null)),
                        CloseStatus.NORMAL);
            case "UNKNOWN" ->
                end(
                        ProtocolCodec.write(
                                new ServerMessage.Error(ErrorCode.SESSION_NOT_FOUND, "no such session (deleted?)")),
                        CloseStatus.NORMAL);
            default -> {
                if (state == State.SYNCING) {
                    state = State.LIVE;
                }
            }
        }
        for (Watcher watcher : new ArrayList<>(watchers.values())) {
            admit(watcher);
        }
    }

    synchronized void onFinal(TranscriptFinal fin) {
        String json = ProtocolCodec.write(com.realtimevoice.ingest.pipeline.ResultMessages.finalOf(fin));
        finals.put(fin.index(), json);
        if (state != State.LIVE) {
            return;
        }
        for (Watcher watcher : watchers.values()) {
            if (fin.index() > watcher.lastSentIndex) {
                sendFinalsAfter(watcher); // normally just this one; any before it it has not had, in order
            }
        }
    }

    synchronized void onPartial(TranscriptPartial partial) {
        if (state != State.LIVE) {
            return;
        }
        String json = null;
        for (Watcher watcher : watchers.values()) {
            if (partial.index() > watcher.lastSentIndex) {
                if (json == null) {
                    json = ProtocolCodec.write(
                            new ServerMessage.Partial(partial.sessionId(), partial.index(), partial.text()));
                }
                watcher.connection.sendJson(json);
            }
        }
    }

    synchronized void onCompleted(SessionCompleted completed) {
        end(
                ProtocolCodec.write(new ServerMessage.Completed(sessionId, completed.text(), completed.segments())),
                CloseStatus.NORMAL);
    }

    synchronized void onFailed(SessionFailed failed) {
        end(ProtocolCodec.write(new ServerMessage.Error(failed.code(), failed.message(), null)), CloseStatus.NORMAL);
    }

    /** Tokens below {@code newEpoch} are revoked: their watchers are closed (4001). Returns how many. */
    synchronized int revoked(int newEpoch) {
        epoch = Math.max(epoch, newEpoch);
        List<Watcher> stale =
                watchers.values().stream().filter(w -> w.tokenEpoch < epoch).toList();
        stale.forEach(this::refuse);
        return stale.size();
    }

    /** This node could not register its watchers: each is told at once and closed. */
    synchronized void unavailable(String message) {
        state = State.LIVE; // nothing more will come: tell them now
        end(
                ProtocolCodec.write(new ServerMessage.Error(ErrorCode.OVERLOADED, message)),
                new CloseStatus(1013, "try again later"));
    }

    /** The session is over: each watcher gets its finals, then the last message, then a close. */
    private void end(String message, CloseStatus close) {
        if (state == State.ENDED) {
            return;
        }
        boolean wasLive = state == State.LIVE;
        endMessage = message;
        endClose = close;
        state = State.ENDED;
        if (wasLive) { // while syncing, the catch-up admits them
            for (Watcher watcher : new ArrayList<>(watchers.values())) {
                admit(watcher);
            }
        }
    }

    private void admit(Watcher watcher) {
        if (watcher.tokenEpoch < epoch) {
            refuse(watcher);
            return;
        }
        sendFinalsAfter(watcher);
        if (state == State.ENDED) {
            watcher.connection.sendJson(endMessage);
            watcher.connection.close(endClose);
            watchers.remove(watcher.id());
        }
    }

    private void refuse(Watcher watcher) {
        watcher.connection.send(new ServerMessage.Error(ErrorCode.UNAUTHORIZED, "this watch token has been revoked"));
        watcher.connection.close(REVOKED);
        watchers.remove(watcher.id());
    }

    private void sendFinalsAfter(Watcher watcher) {
        for (Map.Entry<Integer, String> f :
                finals.tailMap(watcher.lastSentIndex, false).entrySet()) {
            watcher.connection.sendJson(f.getValue());
            watcher.lastSentIndex = f.getKey();
        }
    }
}
