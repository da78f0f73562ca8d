package com.realtimevoice.bench;

import com.realtimevoice.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What a virtual user measures of its current session, whichever transport it runs on ({@link VirtualUser} on
 * voice-client, {@link SelectorUsers} on its own): when its audio went, its first partial with text, its finals, its
 * end and its completed. Not thread-safe: its user guards it.
 */
final class SessionTimer {

    private final int chunkMs;
    private long[] chunkSentNs = new long[0];
    private long firstAudioNs;
    private long firstPartialNs;
    private long endSentNs;
    private long lastFinalNs;
    private final List<long[]> finals = new ArrayList<>(); // {receivedNs, endMs}

    SessionTimer(int chunkMs) {
        this.chunkMs = chunkMs;
    }

    /** A new session of {@code chunks} chunks. */
    void begin(int chunks) {
        chunkSentNs = new long[chunks];
        firstAudioNs = firstPartialNs = endSentNs = lastFinalNs = 0;
        finals.clear();
    }

    void chunkSent(int index, long nowNs) {
        if (index == 0) {
            firstAudioNs = nowNs;
        }
        chunkSentNs[index] = nowNs;
    }

    void endSent(long nowNs) {
        endSentNs = nowNs;
    }

    /** Notes a partial (the first with text after the first audio) or a final; true for a final. */
    boolean result(ServerMessage m, long nowNs) {
        if (m instanceof ServerMessage.Partial p) {
            if (firstPartialNs == 0
                    && firstAudioNs != 0
                    && p.text() != null
                    && !p.text().isBlank()) {
                firstPartialNs = nowNs;
            }
        } else if (m instanceof ServerMessage.Final f) {
            lastFinalNs = nowNs;
            finals.add(new long[] {nowNs, f.endMs()});
            return true;
        }
        return false;
    }

    VirtualUser.SessionTimes completed(long nowNs) {
        return new VirtualUser.SessionTimes(
                firstAudioNs, firstPartialNs, endSentNs, lastFinalNs, nowNs, finals, chunkSentNs, chunkMs);
    }
}
