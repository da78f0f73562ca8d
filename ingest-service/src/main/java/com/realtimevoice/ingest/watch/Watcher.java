package com.realtimevoice.ingest.watch;

import com.realtimevoice.ingest.stream.StreamConnection;

/**
 * One watch socket: its outbox (sends never block the caller; a watcher that does not read is dropped on its own,
 * {@link StreamConnection}), the epoch of its token, and the last final it was sent, so that it sees each final
 * once, in index order, whether from the catch-up or live.
 */
final class Watcher {

    final StreamConnection connection;
    final int tokenEpoch;
    /** Index of the last final sent (or the client's {@code lastIndex} when it resumed watching); -1 for none. */
    int lastSentIndex;

    Watcher(StreamConnection connection, int tokenEpoch, int lastIndex) {
        this.connection = connection;
        this.tokenEpoch = tokenEpoch;
        this.lastSentIndex = lastIndex;
    }

    String id() {
        return connection.id();
    }
}
