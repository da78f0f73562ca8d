package com.realtimevoice.worker.recognition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The commit hold when a partition changes consumer inside one worker (two listener threads share CommitPositions):
 * the interleavings a broker outage produces, where the old holder hears it lost the partition only after the new
 * holder started replaying it.
 */
class CommitPositionsTest {

    private static final TopicPartition P = new TopicPartition("asr.audio.v1", 3);
    private final CommitPositions positions = new CommitPositions();
    private final Object a = new Object();
    private final Object b = new Object();

    /** Consumer a holds P with session s open from offset 10 and has read up to offset 12. */
    private int aHoldsOpenSession() {
        positions.assigned(a, P);
        positions.opened(a, "s", P, 10);
        int epoch = 0;
        for (long o = 10; o <= 12; o++) {
            epoch = positions.dispatched(a, P, o);
            positions.finished(P, o, epoch);
        }
        assertEquals(10, positions.safeOffsets(a, List.of(P)).get(P).offset());
        return epoch;
    }

    /** b replays P from the last commit (10): it reads s's start again. */
    private int bReplays() {
        assertEquals(Set.of("s"), positions.assigned(b, P), "a's open session is stale: its recognizer goes");
        positions.opened(b, "s", P, 10);
        int epoch = positions.dispatched(b, P, 10);
        positions.finished(P, 10, epoch);
        return epoch;
    }

    @Test
    void aLateLoserForgettingThePartitionDoesNotTakeTheNewHoldersSessionsOrEpoch() {
        aHoldsOpenSession();
        int bEpoch = bReplays();

        assertEquals(
                Set.of(), positions.forget(a, P), "a hears only now that it lost P: b's sessions are not a's to drop");

        assertTrue(positions.current(P, bEpoch), "b's records still in flight are not made stale by a");
        assertEquals(10, positions.safeOffsets(b, List.of(P)).get(P).offset(), "the commit still holds at s's start");
        assertEquals(1, positions.openSessions());
    }

    @Test
    void aLateLosersRecordsAndCommitsDoNotMoveTheNewHoldersPositions() {
        aHoldsOpenSession();
        bReplays();

        int stale = positions.dispatched(a, P, 40); // a's fetch from before it lost P, still being handed to it
        positions.opened(a, "t", P, 40);

        assertFalse(positions.current(P, stale), "a's late record is not recognised");
        assertEquals(
                10,
                positions.safeOffsets(b, List.of(P)).get(P).offset(),
                "held at s's start; b has read to 10, not a's 40");
        assertTrue(
                positions.safeOffsets(a, List.of(P)).isEmpty(), "a commits nothing for a partition it no longer holds");
    }

    @Test
    void anOutputAcknowledgedForAnEarlierEpochDoesNotReleaseTheReplay() {
        int aEpoch = aHoldsOpenSession();
        bReplays();

        positions.released("s", P, aEpoch); // a's completed for s, acknowledged after b took P over

        assertEquals(
                10, positions.safeOffsets(b, List.of(P)).get(P).offset(), "b's replay of s still holds the commit");
    }

    @Test
    void theCurrentEpochsLastOutputReleasesTheSession() {
        aHoldsOpenSession();
        int bEpoch = bReplays();
        int e = positions.dispatched(b, P, 11);
        positions.finished(P, 11, e);

        positions.released("s", P, bEpoch);

        assertEquals(12, positions.safeOffsets(b, List.of(P)).get(P).offset());
        assertEquals(0, positions.openSessions());
    }

    @Test
    void aPartitionRevokedFromItsHolderIsForgotten() {
        int aEpoch = aHoldsOpenSession();

        assertEquals(Set.of("s"), positions.forget(a, P));

        assertFalse(positions.current(P, aEpoch));
        assertTrue(positions.safeOffsets(a, List.of(P)).isEmpty());
        assertEquals(Set.of(), positions.assigned(b, P), "nothing stale left for the next holder");
    }

    @Test
    void theCommitCarriesEachOpenSessionsReplayPointUntilItsLastOutputIsOut() {
        int aEpoch = aHoldsOpenSession();
        ReplayPoint point = new ReplayPoint(-1, 0, 11, 1, 2_400);

        positions.progressed("s", P, aEpoch, point);

        var commit = positions.safeOffsets(a, List.of(P)).get(P);
        assertEquals(10, commit.offset(), "still at s's start: the point is a shortcut, not a commit past it");
        assertEquals(java.util.Map.of("s", point), ReplayPoint.decode(commit.metadata()));

        positions.released("s", P, aEpoch);
        assertEquals("", positions.safeOffsets(a, List.of(P)).get(P).metadata(), "s is done: nothing to resume");
    }

    @Test
    void theNextHolderResumesAtThePointItInheritedAndCarriesItUntilTheStartIsReadAgain() {
        ReplayPoint point = new ReplayPoint(-1, 0, 11, 1, 2_400);
        String metadata = ReplayPoint.encode(java.util.Map.of("s", point), ReplayPoint.MAX_METADATA_BYTES);
        positions.assigned(b, P);
        assertEquals(1, positions.inherit(b, P, metadata));
        int epoch = positions.dispatched(b, P, 9); // a record before s's start
        positions.finished(P, 9, epoch);
        assertEquals(
                java.util.Map.of("s", point),
                ReplayPoint.decode(positions.safeOffsets(b, List.of(P)).get(P).metadata()),
                "b commits before reading s's start: the point is kept for whoever comes next");

        positions.opened(b, "s", P, 10);
        assertEquals(point, positions.takeInherited(b, "s", P));
        assertEquals(null, positions.takeInherited(b, "s", P), "taken once");
        assertEquals(
                java.util.Map.of("s", point),
                ReplayPoint.decode(positions.safeOffsets(b, List.of(P)).get(P).metadata()),
                "now s's own point, until its lane records a later one");

        positions.forget(b, P);
        positions.assigned(a, P);
        assertEquals(null, positions.takeInherited(a, "s", P), "forgotten with the partition");
    }

    @Test
    void replayPointsFitTheBrokersMetadataLimitAndDamagedMetadataMeansReplayFromTheStart() {
        java.util.Map<String, ReplayPoint> many = new java.util.HashMap<>();
        for (int i = 0; i < 200; i++) {
            many.put(
                    java.util.UUID.randomUUID().toString(),
                    new ReplayPoint(999_000L + i, i * 500L, 1_000_000L + i, i, i * 1000L));
        }
        String metadata = ReplayPoint.encode(many, ReplayPoint.MAX_METADATA_BYTES);
        assertTrue(metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= ReplayPoint.MAX_METADATA_BYTES);
        java.util.Map<String, ReplayPoint> kept = ReplayPoint.decode(metadata);
        assertTrue(kept.size() > 40, "tens of sessions fit: " + kept.size());
        kept.forEach((id, p) -> assertEquals(many.get(id), p));
        long shortestKept =
                kept.values().stream().mapToLong(ReplayPoint::audioMs).min().orElseThrow();
        assertTrue(
                many.values().stream().filter(p -> p.audioMs() > shortestKept).count() < kept.size(),
                "the sessions furthest into their audio are the ones kept");

        assertEquals(java.util.Map.of(), ReplayPoint.decode(""));
        assertEquals(java.util.Map.of(), ReplayPoint.decode("rp2;s,-1,0,1,x,3"));
        assertEquals(java.util.Map.of(), ReplayPoint.decode("rp1;s,1,2,3"));
        assertEquals("", ReplayPoint.encode(java.util.Map.of("a;b", new ReplayPoint(-1, 0, 1, 1, 1)), 4000));
    }
}
