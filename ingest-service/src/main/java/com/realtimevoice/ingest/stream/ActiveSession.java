package com.realtimevoice.ingest.stream;

/** The recognition session in progress on a connection, with the counters that stamp its audio chunks. */
final class ActiveSession {

    private final String sessionId;
    private final String userId;
    private final String resumeToken;
    private final String format;
    private final int sampleRate;
    /** When the session first started, on whichever node: its maximum duration and audio budget run from here. */
    private final long startedAtMs;

    private long lastAudioAtMs = System.currentTimeMillis();
    private long nextSeq;
    private long bytes;
    /** Audio bytes counted against the rate budget since the session started, carried across resumes. */
    private long budgetBytes;

    private boolean ending;
    // Acks: the highest seq Kafka has acknowledged (sends of one producer to one partition complete in order),
    // the highest one told to the client, and the bytes sent but not yet acknowledged (backpressure).
    private long ackedSeq = -1;
    private long ackSentSeq = -1;
    private long unackedBytes;
    private boolean overloaded;
    private boolean resumed;
    /** On a resumed session: the highest final the client said it had, and the finals sent on this connection since. */
    private int resumedAfterIndex = -1;

    private final java.util.BitSet finalsSent = new java.util.BitSet();

    ActiveSession(
            String sessionId, String userId, String resumeToken, String format, int sampleRate, long startedAtMs) {
        this(sessionId, userId, resumeToken, format, sampleRate, 0, startedAtMs, 0);
    }

    /**
     * A resumed session: its chunks continue at {@code firstSeq}; its duration and audio budget go on from the
     * original start and the budget already used, so a reconnect buys no fresh allowance.
     */
    ActiveSession(
            String sessionId,
            String userId,
            String resumeToken,
            String format,
            int sampleRate,
            long firstSeq,
            long startedAtMs,
            long budgetBytes) {
        this.startedAtMs = startedAtMs;
        this.budgetBytes = budgetBytes;
        this.sessionId = sessionId;
        this.userId = userId;
        this.resumeToken = resumeToken;
        this.format = format;
        this.sampleRate = sampleRate;
        this.nextSeq = firstSeq;
        this.ackedSeq = firstSeq - 1;
        this.ackSentSeq = firstSeq - 1;
    }

    /**
     * The audio budget a resumed session has used: exactly what it used here if it dropped from this node; from
     * another node, everything its time since the start allows but one burst (the re-send of its unacked audio).
     * Either way a reconnect buys no fresh allowance beyond that burst.
     */
    static long carriedBudget(
            ActiveSession dropped, String format, int sampleRate, long startedAt, long now, double maxAudioSpeed) {
        long elsewhere =
                (long) ((now - startedAt) * maxAudioSpeed * StreamFormat.bytesPerSecond(format, sampleRate) / 1000.0);
        return Math.max(elsewhere, dropped == null ? 0 : dropped.budgetBytes());
    }

    /** Kafka has the chunk: it counts towards the next ack. */
    synchronized void acknowledged(long seq, int length) {
        ackedSeq = Math.max(ackedSeq, seq);
        unackedBytes -= length;
        if (unackedBytes == 0) {
            overloaded = false;
            // the client may have paused for these acks (OVERLOADED): its idle time starts now, not at its last chunk
            lastAudioAtMs = Math.max(lastAudioAtMs, System.currentTimeMillis());
        }
    }

    /**
     * No audio for longer than {@code idleMs} while the node owes the client nothing. While chunks wait for Kafka
     * (a broker outage) a well-behaved client pauses for their acks: that is not idleness, and ending the session then
     * would lose the finals of the audio it re-sends after the outage.
     */
    synchronized boolean idleLongerThan(long nowMs, long idleMs) {
        return unackedBytes == 0 && nowMs - lastAudioAtMs > idleMs;
    }

    /** The seq to ack to the client now, or -1 when there is nothing new. */
    synchronized long takeAck() {
        if (ackedSeq > ackSentSeq) {
            ackSentSeq = ackedSeq;
            return ackedSeq;
        }
        return -1;
    }

    /**
     * Whether a chunk of {@code length} fits under the unacknowledged-audio limit. The first refusal of an episode
     * returns {@code Admission.REFUSED_FIRST} so the client is told once; the episode ends when Kafka catches up.
     */
    synchronized Admission admit(int length, long maxUnackedBytes) {
        if (unackedBytes + length > maxUnackedBytes) {
            boolean first = !overloaded;
            overloaded = true;
            return first ? Admission.REFUSED_FIRST : Admission.REFUSED;
        }
        if (overloaded) {
            return Admission.REFUSED;
        }
        unackedBytes += length;
        return Admission.ACCEPTED;
    }

    enum Admission {
        ACCEPTED,
        REFUSED_FIRST,
        REFUSED
    }

    /** @param lastIndex the highest final the client has (its {@code resume}'s lastIndex) */
    synchronized void markResumed(int lastIndex) {
        resumed = true;
        resumedAfterIndex = lastIndex;
    }

    synchronized void finalSent(int index) {
        if (index >= 0) {
            finalsSent.set(index);
        }
    }

    /**
     * Whether the client of this resumed session lacks any of a completed session's {@code segments} finals: one
     * after its resume's lastIndex that was not sent on this connection. Always false for a session not resumed,
     * whose results come in order on one route.
     */
    synchronized boolean lacksFinalsOf(int segments) {
        if (!resumed) {
            return false;
        }
        for (long i = Math.max(0L, resumedAfterIndex + 1L); i < segments; i++) { // long: lastIndex is the client's
            if (!finalsSent.get((int) i)) {
                return true;
            }
        }
        return false;
    }

    synchronized boolean resumed() {
        return resumed;
    }

    synchronized long nextSeq() {
        return nextSeq;
    }

    String sessionId() {
        return sessionId;
    }

    String userId() {
        return userId;
    }

    String resumeToken() {
        return resumeToken;
    }

    String format() {
        return format;
    }

    int sampleRate() {
        return sampleRate;
    }

    /** Reserves the seq and byte offset of the next chunk; returns {seq, offset}. */
    synchronized long[] stamp(int length) {
        long[] stamp = {nextSeq++, bytes};
        bytes += length;
        budgetBytes += length;
        lastAudioAtMs = System.currentTimeMillis();
        return stamp;
    }

    long startedAtMs() {
        return startedAtMs;
    }

    /**
     * Whether {@code length} more bytes would put the session further ahead of real time than allowed: audio may
     * arrive up to {@code speed} times faster than it plays, plus a burst (a client flushing what it buffered).
     */
    synchronized boolean wouldExceed(int length, double speed, java.time.Duration burst, long nowMs) {
        double bytesPerMs = StreamFormat.bytesPerSecond(format, sampleRate) / 1000.0;
        double allowed = ((nowMs - startedAtMs) * speed + burst.toMillis()) * bytesPerMs;
        return budgetBytes + length > allowed;
    }

    synchronized long budgetBytes() {
        return budgetBytes;
    }

    synchronized long lastSeq() {
        return nextSeq - 1;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized boolean ending() {
        return ending;
    }

    synchronized void markEnding() {
        ending = true;
    }
}
