package com.realtimevoice.faults.check;

import java.util.List;

/**
 * The check of one scenario. {@code lost}: expected (session, index) pairs missing in the database or never seen by
 * the client (split in the two next counts; one pair may be both). {@code recoverySeconds}: from the fault to the
 * next final (or completed) on the slowest affected session; null when an affected session never got one.
 */
public record ScenarioResult(String name, String fault, int sessions, int expected, int lost, int lostNotInDb,
                             int lostNotAtClient, int dbDuplicates, int duplicatedAsNew, int reordered, int resent,
                             Double recoverySeconds, int failedSessions, long elapsedSeconds, List<String> notes,
                             List<String> details) {

    public boolean passed() {
        return lost == 0 && dbDuplicates == 0;
    }
}
