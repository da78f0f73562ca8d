package com.realtimevoice.faults.check;

import java.util.List;

/**
 * The check of one scenario. {@code lost}: expected (session, index) pairs missing in the database or never seen by
 * the client (split in the two next counts; one pair may be both). {@code recoverySeconds}: from the fault (or its
 * end, {@code fromFaultEnd}) to the next result (partial, final or completed) on the slowest affected session; null
 * when an affected session never got one. {@code recoveryGoalSeconds}: the most that passes (null: no goal).
 * {@code violations}: expectations of the scenario itself that were not met (a poisoned session not failed, a corrupt
 * record not dead-lettered); any fails it.
 */
public record ScenarioResult(
        String name,
        String fault,
        int sessions,
        int expected,
        int lost,
        int lostNotInDb,
        int lostNotAtClient,
        int dbDuplicates,
        int duplicatedAsNew,
        int reordered,
        int resent,
        Double recoverySeconds,
        int failedSessions,
        long elapsedSeconds,
        List<String> notes,
        List<String> details,
        Double recoveryGoalSeconds,
        boolean fromFaultEnd,
        List<String> violations) {

    /** A scenario that could not run: it must not pass, so it counts as one lost final (no recovery goal). */
    public static ScenarioResult harnessError(String name, String fault, Exception e) {
        return new ScenarioResult(
                name,
                fault,
                0,
                1,
                1,
                0,
                0,
                0,
                0,
                0,
                0,
                null,
                0,
                0,
                List.of("HARNESS ERROR: " + e),
                List.of(),
                null,
                false,
                List.of());
    }

    public boolean passed() {
        return lost == 0 && dbDuplicates == 0 && recoveredInTime() && violations.isEmpty();
    }

    /** Within the recovery goal, or no goal. */
    public boolean recoveredInTime() {
        return recoveryGoalSeconds == null || (recoverySeconds != null && recoverySeconds <= recoveryGoalSeconds);
    }
}
