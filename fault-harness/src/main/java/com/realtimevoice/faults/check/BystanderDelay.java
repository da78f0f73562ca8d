package com.realtimevoice.faults.check;

import com.realtimevoice.faults.client.ClientEvent;
import com.realtimevoice.faults.client.Fleet;
import com.realtimevoice.faults.client.FleetClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * How much later the sessions a fault was not aimed at got their finals than in a clean pass of the same fleet (same
 * programs, speeds and pacing) run right before it, so that both see the same machine load. A final's latency is its
 * arrival minus the moment its audio's end was due to be sent ({@code started} + {@code endMs} / speed); the passes'
 * bystanders are compared by the median and the largest of their finals' latencies.
 */
public final class BystanderDelay {

    private BystanderDelay() {}

    /** The bystanders' finals' latencies in one pass and in its clean pass (ms), and how many finals each had. */
    public record Comparison(long p50, long max, int finals, long cleanP50, long cleanMax, int cleanFinals) {

        /** The larger of the two differences with the clean pass (ms). */
        public long worse() {
            return Math.max(p50 - cleanP50, max - cleanMax);
        }

        @Override
        public String toString() {
            return "bystanders' final latency p50 " + s(p50) + " s, max " + s(max) + " s (" + finals
                    + " finals); clean pass p50 " + s(cleanP50) + " s, max " + s(cleanMax) + " s (" + cleanFinals
                    + " finals)";
        }

        private static String s(long ms) {
            return String.valueOf(ms / 1000.0);
        }
    }

    /** Each final's latency (ms) of one client's events: its arrival minus when its audio's end was due. */
    public static List<Long> latencies(FleetClient client, List<ClientEvent> events) {
        Long started = null;
        List<Long> out = new ArrayList<>();
        Set<Integer> seen = new java.util.HashSet<>();
        for (ClientEvent e : events) {
            if (!e.client().equals(client.plan().name())) {
                continue;
            }
            if ("started".equals(e.kind()) && started == null) {
                started = e.t();
            } else if ("final".equals(e.kind()) && started != null && e.seq() >= 0 && seen.add(e.index())) {
                out.add(e.t() - started - (long) (e.seq() / client.plan().speed()));
            }
        }
        return out;
    }

    /**
     * Compares the bystanders of {@code fleet} (clients not in {@code excluded}) with the clients at the same places in
     * {@code clean} (those it stopped, {@code cleanExcluded}, left out too); null when either has no final.
     */
    public static Comparison compare(Fleet fleet, Set<String> excluded, Fleet clean, Set<String> cleanExcluded) {
        List<Long> mine = new ArrayList<>();
        List<Long> base = new ArrayList<>();
        for (int i = 0; i < fleet.clients().size(); i++) {
            FleetClient c = fleet.clients().get(i);
            FleetClient b = clean.clients().get(i);
            if (excluded.contains(c.plan().name())
                    || cleanExcluded.contains(b.plan().name())) {
                continue;
            }
            mine.addAll(latencies(c, fleet.events()));
            base.addAll(latencies(b, clean.events()));
        }
        if (mine.isEmpty() || base.isEmpty()) {
            return null;
        }
        return new Comparison(
                median(mine), Collections.max(mine), mine.size(), median(base), Collections.max(base), base.size());
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
