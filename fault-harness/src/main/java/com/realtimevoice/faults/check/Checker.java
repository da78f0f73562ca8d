package com.realtimevoice.faults.check;

import com.realtimevoice.faults.client.ClientEvent;
import com.realtimevoice.faults.client.FleetClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads every stored final of a scenario's sessions, keyed by (session, index), and holds it against what each
 * client was expected to get (the same program through a clean pipeline) and what it did get.
 */
public final class Checker {

    private Checker() {}

    /**
     * @param faultAt         when the fault was injected (epoch ms)
     * @param faultEndedAt when a lasting fault ended (0: none); the recovery counts from here then
     * @param goal         the longest recovery that passes (null: no goal)
     * @param affectedClients the clients the fault hit (for the recovery time)
     * @param poisoned     clients fed poison on purpose: each must end {@code UNPROCESSABLE}; none of its finals is
     *                     expected, but every final it was given must be stored
     * @param violations   expectations of the scenario that were not met
     */
    public static ScenarioResult check(
            String name,
            String fault,
            List<FleetClient> clients,
            List<ClientEvent> events,
            Map<String, Expected> expected,
            Connection db,
            long faultAt,
            long faultEndedAt,
            java.time.Duration goal,
            Set<String> affectedClients,
            Set<String> poisoned,
            long elapsedSeconds,
            List<String> extraNotes,
            List<String> violations)
            throws SQLException {
        List<String> unmet = new ArrayList<>(violations);
        long from = faultEndedAt > 0 ? faultEndedAt : faultAt;
        Double toFinal = 0.0;
        Map<String, List<ClientEvent>> byClient = new HashMap<>();
        for (ClientEvent e : events) {
            byClient.computeIfAbsent(e.client(), k -> new ArrayList<>()).add(e);
        }
        List<String> sessionIds = clients.stream()
                .map(FleetClient::sessionId)
                .filter(s -> s != null)
                .toList();
        Map<String, Map<Integer, String>> stored = storedFinals(db, sessionIds);
        int dbDuplicates = dbDuplicates(db, sessionIds);

        int total = 0, lost = 0, notInDb = 0, notAtClient = 0, dupAsNew = 0, reordered = 0, resent = 0, failed = 0;
        int textDiffers = 0, extraInDb = 0, reconnects = 0, pauses = 0;
        Double recovery = 0.0;
        boolean anyAffected = false;
        List<String> details = new ArrayList<>();
        Map<String, Integer> failures = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        for (FleetClient client : clients) {
            String program = client.plan().program().name();
            Expected exp = expected.get(program);
            boolean poison = poisoned.contains(client.plan().name());
            if (poison
                    && !(client.phase() == FleetClient.Phase.FAILED
                            && String.valueOf(client.failure()).contains("UNPROCESSABLE"))) {
                unmet.add("POISONED SESSION NOT ENDED UNPROCESSABLE: "
                        + client.plan().name() + " ended " + client.phase()
                        + (client.failure() == null ? "" : " (" + client.failure() + ")"));
            }
            int want = poison ? 0 : exp.count();
            total += want;
            List<ClientEvent> mine = byClient.getOrDefault(client.plan().name(), List.of());
            Map<Integer, String> db1 =
                    client.sessionId() == null ? Map.of() : stored.getOrDefault(client.sessionId(), Map.of());
            // the client's finals, classified in the order they arrived
            Map<Integer, String> seen = new LinkedHashMap<>();
            int maxSeen = -1;
            for (ClientEvent e : mine) {
                if ("connect".equals(e.kind()) && e.connection() > 1) {
                    reconnects++;
                }
                if ("pause".equals(e.kind())) {
                    pauses++;
                }
                if ("error".equals(e.kind()) && e.detail() != null) {
                    errors.merge(e.detail().split(":", 2)[0], 1, Integer::sum);
                }
                if (!"final".equals(e.kind())) {
                    continue;
                }
                String before = seen.get(e.index());
                if (before != null) {
                    if (before.equals(e.text())) {
                        resent++;
                    } else {
                        dupAsNew++; // two different texts for one index
                    }
                    continue;
                }
                if (e.index() < maxSeen) {
                    reordered++;
                }
                if (e.index() >= exp.count()) {
                    dupAsNew++; // an index beyond what the audio holds
                }
                seen.put(e.index(), e.text());
                maxSeen = Math.max(maxSeen, e.index());
            }
            int lostHere = 0;
            List<Integer> missingDb = new ArrayList<>();
            List<Integer> missingClient = new ArrayList<>();
            for (int i = 0; i < want; i++) {
                boolean inDb = db1.containsKey(i);
                boolean atClient = seen.containsKey(i);
                if (!inDb) {
                    missingDb.add(i);
                }
                if (!atClient) {
                    missingClient.add(i);
                }
                if (!inDb || !atClient) {
                    lostHere++;
                }
                String text = seen.getOrDefault(i, db1.get(i));
                if (text != null && !text.equals(exp.finals().get(i))) {
                    textDiffers++;
                }
            }
            if (poison) {
                for (Integer i : seen.keySet()) {
                    if (!db1.containsKey(i)) {
                        missingDb.add(i);
                        lostHere++; // delivered but not stored
                    }
                }
            }
            for (Integer i : db1.keySet()) {
                if (i >= want && !poison) {
                    extraInDb++;
                }
            }
            lost += lostHere;
            notInDb += missingDb.size();
            notAtClient += missingClient.size();
            if (client.phase() == FleetClient.Phase.FAILED) {
                failed++;
                failures.merge(shortReason(client.failure()), 1, Integer::sum);
            }
            boolean doneBefore = mine.stream().anyMatch(e -> "completed".equals(e.kind()) && e.t() <= from);
            if (affectedClients.contains(client.plan().name()) && !doneBefore) {
                anyAffected = true;
                // the next new result of any kind: a partial shows the session moving again as well as a final does
                Long next = firstNewResultAfter(mine, from);
                if (next == null) {
                    recovery = null;
                } else if (recovery != null) {
                    recovery = Math.max(recovery, (next - from) / 1000.0);
                }
                Long nextFinal = mine.stream()
                        .filter(e -> e.t() > faultAt && ("final".equals(e.kind()) || "completed".equals(e.kind())))
                        .map(ClientEvent::t)
                        .findFirst()
                        .orElse(null);
                toFinal =
                        nextFinal == null || toFinal == null ? null : Math.max(toFinal, (nextFinal - faultAt) / 1000.0);
            }
            details.add(String.format(
                    "%s session=%s program=%s speed=%.2f expected=%d db=%s client=%s%s%s%s",
                    client.plan().name(),
                    client.sessionId(),
                    program,
                    client.plan().speed(),
                    want,
                    db1.keySet(),
                    seen.keySet(),
                    missingDb.isEmpty() ? "" : " MISSING-IN-DB=" + missingDb,
                    missingClient.isEmpty() ? "" : " MISSING-AT-CLIENT=" + missingClient,
                    client.phase() == FleetClient.Phase.FAILED ? " FAILED: " + client.failure() : ""));
        }
        List<String> notes = new ArrayList<>(extraNotes);
        notes.addAll(unmet.subList(violations.size(), unmet.size())); // the scenario's own are among its notes already
        failures.forEach((reason, n) -> notes.add(n + " session(s) failed: " + reason));
        if (!errors.isEmpty()) {
            notes.add("errors from the server: " + errors);
        }
        if (reconnects > 0) {
            notes.add(reconnects + " reconnect(s) with resume");
        }
        if (pauses > 0) {
            notes.add(pauses + " OVERLOADED pause(s)");
        }
        if (extraInDb > 0) {
            notes.add(extraInDb + " stored final(s) beyond the expected count");
        }
        if (textDiffers > 0) {
            notes.add(textDiffers + " final(s) whose text differs from the clean run");
        }
        if (!anyAffected) {
            recovery = null;
            notes.add("no session was under way at the fault");
        } else if (recovery == null) {
            notes.add("an affected session got no result after the fault");
        } else {
            notes.add(String.format(
                    java.util.Locale.ROOT,
                    "next final %s s after the fault%s",
                    toFinal == null ? "never" : String.format(java.util.Locale.ROOT, "%.1f", toFinal),
                    faultEndedAt > 0
                            ? String.format(
                                    java.util.Locale.ROOT, " (which lasted %.1f s)", (faultEndedAt - faultAt) / 1000.0)
                            : ""));
        }
        Double goalSeconds = goal == null ? null : goal.toMillis() / 1000.0;
        if (goalSeconds != null && anyAffected && (recovery == null || recovery > goalSeconds)) {
            notes.add("RECOVERY GOAL MISSED: " + (recovery == null ? "no result" : recovery + " s") + " > "
                    + goalSeconds + " s" + (faultEndedAt > 0 ? " after the fault ended" : " after the fault"));
        }
        return new ScenarioResult(
                name,
                fault,
                clients.size(),
                total,
                lost,
                notInDb,
                notAtClient,
                dbDuplicates,
                dupAsNew,
                reordered,
                resent,
                recovery,
                failed,
                elapsedSeconds,
                notes,
                details,
                anyAffected ? goalSeconds : null,
                faultEndedAt > 0,
                unmet);
    }

    /**
     * The first result after {@code from} that tells the client something new: a partial of a segment after every final
     * it has, a final it did not have, or completed. A takeover's replay of a session from its start sends partials and
     * finals of segments the client has already (same index, same text): they show the replay, not the session moving
     * on, and counted as recovery they hid how long the replay took.
     */
    static Long firstNewResultAfter(List<ClientEvent> events, long from) {
        int lastFinal = -1;
        java.util.Set<Integer> finals = new java.util.HashSet<>();
        for (ClientEvent e : events) {
            boolean fresh = "completed".equals(e.kind())
                    || ("final".equals(e.kind()) && !finals.contains(e.index()))
                    || ("partial".equals(e.kind()) && e.index() > lastFinal);
            if (e.t() > from && fresh) {
                return e.t();
            }
            if ("final".equals(e.kind())) {
                finals.add(e.index());
                lastFinal = Math.max(lastFinal, e.index());
            }
        }
        return null;
    }

    private static String shortReason(String failure) {
        if (failure == null) {
            return "?";
        }
        return failure.length() > 120 ? failure.substring(0, 120) + "..." : failure;
    }

    static Map<String, Map<Integer, String>> storedFinals(Connection db, Collection<String> sessionIds)
            throws SQLException {
        Map<String, Map<Integer, String>> out = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps =
                db.prepareStatement("SELECT session_id, seg_index, text FROM transcript_segment WHERE session_id IN ("
                        + placeholders(sessionIds.size()) + ")")) {
            bind(ps, sessionIds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getInt(2), rs.getString(3));
                }
            }
        }
        return out;
    }

    /** Rows sharing a (session, index): the primary key makes it impossible; checked all the same. */
    static int dbDuplicates(Connection db, Collection<String> sessionIds) throws SQLException {
        if (sessionIds.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps =
                db.prepareStatement("SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM transcript_segment "
                        + "WHERE session_id IN (" + placeholders(sessionIds.size())
                        + ") GROUP BY session_id, seg_index HAVING COUNT(*) > 1) d")) {
            bind(ps, sessionIds);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String placeholders(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    private static void bind(PreparedStatement ps, Collection<String> values) throws SQLException {
        int i = 1;
        for (String v : values) {
            ps.setString(i++, v);
        }
    }
}
