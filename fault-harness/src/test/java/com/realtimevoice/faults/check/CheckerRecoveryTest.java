package com.realtimevoice.faults.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.realtimevoice.faults.client.ClientEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recovery is the time to a result that is news to the client, not to a replay of what it had. */
class CheckerRecoveryTest {

    private static ClientEvent event(long t, String kind, int index) {
        return new ClientEvent(t, "c", "s", 1, "ingest-a", kind, -1, index, "text", null);
    }

    @Test
    void aReplayOfSegmentsTheClientHasIsNotRecovery() {
        List<ClientEvent> events = List.of(
                event(100, "partial", 0),
                event(200, "final", 0),
                event(300, "partial", 1), // the fault comes at 350
                event(1_000, "partial", 0), // a takeover replays the session from its start
                event(1_500, "final", 0),
                event(4_000, "partial", 1), // news: the unfinished segment moves on
                event(5_000, "final", 1));

        assertEquals(4_000L, Checker.firstNewResultAfter(events, 350));
    }

    @Test
    void aFinalTheClientLackedOrCompletedIsRecoveryAndNothingNewIsNone() {
        assertEquals(900L, Checker.firstNewResultAfter(List.of(event(100, "partial", 0), event(900, "final", 0)), 350));
        assertEquals(
                700L,
                Checker.firstNewResultAfter(
                        List.of(event(200, "final", 0), event(600, "final", 0), event(700, "completed", -1)), 350));
        assertNull(Checker.firstNewResultAfter(List.of(event(200, "final", 0), event(600, "partial", 0)), 350));
    }
}
