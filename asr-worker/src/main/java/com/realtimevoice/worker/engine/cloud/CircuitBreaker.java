package com.realtimevoice.worker.engine.cloud;

import java.util.function.LongSupplier;

/**
 * Stops calling a service that keeps failing. Closed: calls go through; {@code threshold} consecutive failures
 * open it. Open: calls are refused for {@code openForMs}; then one call is let through (half-open): its success
 * closes the breaker, its failure opens it again. Refused credentials open it at once and keep the reason, so
 * that sessions starting meanwhile are told what is wrong.
 */
final class CircuitBreaker {

    enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final int threshold;
    private final long openForMs;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private String reason = "";
    private boolean authFailure;

    CircuitBreaker(int threshold, long openForMs, LongSupplier clockMs) {
        this.threshold = threshold;
        this.openForMs = openForMs;
        this.clock = clockMs;
    }

    /** @return true if a call may go out now (in half-open state, only the first caller gets true) */
    synchronized boolean tryAcquire() {
        if (state == State.CLOSED) {
            return true;
        }
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openForMs) {
            state = State.HALF_OPEN;
            return true;
        }
        return false;
    }

    synchronized void onSuccess() {
        state = State.CLOSED;
        failures = 0;
        authFailure = false;
        reason = "";
    }

    synchronized void onFailure(String why) {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            open(why);
        }
    }

    synchronized void onAuthFailure(String why) {
        open(why);
        authFailure = true;
    }

    /** The service answered but refused the request (bad audio): it is up, so a half-open trial closes the breaker. */
    synchronized void onNeutral() {
        if (state == State.HALF_OPEN) {
            state = State.CLOSED;
            failures = 0;
        }
    }

    synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openForMs) {
            return State.HALF_OPEN;
        }
        return state;
    }

    synchronized String reason() {
        return reason;
    }

    synchronized boolean authFailure() {
        return authFailure && state != State.CLOSED;
    }

    private void open(String why) {
        state = State.OPEN;
        openedAt = clock.getAsLong();
        reason = why;
        failures = 0;
    }
}
