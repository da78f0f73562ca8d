package com.realtimevoice.ingest.stream;

/** The recognition session in progress on a connection, with the counters that stamp its audio chunks. */
final class ActiveSession {

    private final String sessionId;
    private final String userId;
    private final String resumeToken;
    private final String format;
    private final int sampleRate;
    private final long startedAtMs = System.currentTimeMillis();
    private long lastAudioAtMs = startedAtMs;
    private long nextSeq;
    private long bytes;
    private boolean ending;

    ActiveSession(String sessionId, String userId, String resumeToken, String format, int sampleRate) {
        this.sessionId = sessionId;
        this.userId = userId;
        this.resumeToken = resumeToken;
        this.format = format;
        this.sampleRate = sampleRate;
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
        lastAudioAtMs = System.currentTimeMillis();
        return stamp;
    }

    long startedAtMs() {
        return startedAtMs;
    }

    synchronized long lastAudioAtMs() {
        return lastAudioAtMs;
    }

    /**
     * Whether {@code length} more bytes would put the session further ahead of real time than allowed: audio may
     * arrive up to {@code speed} times faster than it plays, plus a burst (a client flushing what it buffered).
     */
    synchronized boolean wouldExceed(int length, double speed, java.time.Duration burst, long nowMs) {
        double bytesPerMs = sampleRate * 2 / 1000.0;
        double allowed = ((nowMs - startedAtMs) * speed + burst.toMillis()) * bytesPerMs;
        return bytes + length > allowed;
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
