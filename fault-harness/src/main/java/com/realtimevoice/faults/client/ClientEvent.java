package com.realtimevoice.faults.client;

/**
 * One thing a client did or saw, as recorded: {@code kind} is one of connect, start, started, send, ack, partial,
 * final, completed, error, closed, drop, resume, resumed, end, pause, unpause, failed; {@code seq} for send/ack and,
 * for a final, its {@code endMs} (where its segment ends in the audio); {@code index}/{@code text} for finals,
 * {@code detail} for codes and reasons. Times are epoch milliseconds.
 */
public record ClientEvent(
        long t,
        String client,
        String sessionId,
        int connection,
        String node,
        String kind,
        long seq,
        int index,
        String text,
        String detail) {}
