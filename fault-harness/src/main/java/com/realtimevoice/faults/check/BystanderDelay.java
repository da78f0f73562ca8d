package com.realtimevoice.faults.check;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.realtimevoice.faults.client.ClientEvent;
import com.realtimevoice.faults.client.FleetClient;

/**
 * How much later than in the clean run the sessions a fault was not aimed at got their finals: for each final, its
 * time from the session's {@code started} minus the same final's in the clean run of the same program and speed.
 */
public final class BystanderDelay {

    private BystanderDelay() {
    }

    /** Each final's time from {@code started}, in index order, of one client's events (ms). */
    public static List<Long> finalsAfterStart(String client, List<ClientEvent> events) {
        Long started = null;
        TreeMap<Integer, Long> at = new TreeMap<>();
        for (ClientEvent e : events) {
            if (!e.client().equals(client)) {
                continue;
            }
            if ("started".equals(e.kind()) && started == null) {
                started = e.t();
            } else if ("final".equals(e.kind()) && started != null) {
                at.putIfAbsent(e.index(), e.t() - started);
            }
        }
        return List.copyOf(at.values());
    }

    /**
     * The largest extra delay (ms) of any final of the clients not in {@code excluded}, against {@code clean}
     * (program name to its clean run's {@link #finalsAfterStart}, at {@code cleanSpeed}); null when none compares.
     */
    public static Long worst(List<FleetClient> clients, List<ClientEvent> events, Set<String> excluded,
                             Map<String, List<Long>> clean, double cleanSpeed) {
        Long worst = null;
        for (FleetClient c : clients) {
            List<Long> base = clean.get(c.plan().program().name());
            if (excluded.contains(c.plan().name()) || base == null || c.plan().speed() != cleanSpeed) {
                continue;
            }
            List<Long> mine = finalsAfterStart(c.plan().name(), events);
            for (int i = 0; i < Math.min(mine.size(), base.size()); i++) {
                long extra = mine.get(i) - base.get(i);
                worst = worst == null ? extra : Math.max(worst, extra);
            }
        }
        return worst;
    }
}
