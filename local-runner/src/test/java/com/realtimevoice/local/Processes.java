package com.realtimevoice.local;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The processes the tests start (nginx, chromedriver, the local runner's jar). */
public final class Processes {

    private Processes() {}

    /** Asks the process to stop, and kills it if it has not within {@code grace}; keeps an interrupt for the caller. */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
