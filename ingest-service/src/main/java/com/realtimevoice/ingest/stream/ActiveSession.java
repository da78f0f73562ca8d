package com.realtimevoice.ingest.stream;

/** The recognition session in progress on a connection, with the counters that stamp its audio chunks. */
final class ActiveSession {

    private final String sessionId;
    private final String userId;
    private final String resumeToken;
    private final String format;
    private final int sampleRate;
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
        return stamp;
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
