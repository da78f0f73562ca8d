package com.realtimevoice.faults.scenario;

import com.realtimevoice.faults.client.Fleet;
import com.realtimevoice.faults.client.FleetClient;
import com.realtimevoice.faults.cluster.Cluster;
import com.realtimevoice.faults.cluster.ServiceNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a fault's action may use: the cluster, the fleet, and where to say when it struck and whom. */
public final class FaultContext {

    private static final Logger log = LoggerFactory.getLogger(FaultContext.class);

    private final Cluster cluster;
    private final Fleet fleet;
    private final Durations durations;
    private volatile long injectedAt;
    private volatile long endedAt;
    private final Set<String> affected = new LinkedHashSet<>();
    private final List<String> notes = new ArrayList<>();
    private final Set<String> poisoned = new LinkedHashSet<>();
    private final List<String> violations = new ArrayList<>();

    public FaultContext(Cluster cluster, Fleet fleet, Durations durations) {
        this.cluster = cluster;
        this.fleet = fleet;
        this.durations = durations;
    }

    public Cluster cluster() {
        return cluster;
    }

    public Fleet fleet() {
        return fleet;
    }

    public Durations durations() {
        return durations;
    }

    /** Marks now as the fault's moment; the sessions under way that {@code hit} selects are the affected ones. */
    public void injected(Predicate<FleetClient> hit) {
        injectedAt = System.currentTimeMillis();
        for (FleetClient c : fleet.clients()) {
            if (c.active() && hit.test(c)) {
                affected.add(c.plan().name());
            }
        }
        log.info("fault injected; affected sessions: {}", affected);
    }

    /** The clients connected to an ingest node now. */
    public Set<FleetClient> clientsOn(ServiceNode node) {
        Set<FleetClient> on = new LinkedHashSet<>();
        for (FleetClient c : fleet.clients()) {
            if (node.name().equals(c.currentNode())) {
                on.add(c);
            }
        }
        return on;
    }

    public void injectedOnAll() {
        injected(c -> true);
    }

    public long injectedAt() {
        return injectedAt;
    }

    /** Marks now as the end of a fault that lasts (a frozen process thawed, the broker back): recovery counts from here. */
    public void ended() {
        endedAt = System.currentTimeMillis();
        log.info("fault ended");
    }

    /** When the fault ended, or 0 for a fault that is over once struck (a kill). */
    public long endedAt() {
        return endedAt;
    }

    public Set<String> affected() {
        return affected;
    }

    /**
     * These clients' sessions were fed poison on purpose: each must end {@code UNPROCESSABLE} at its client (the
     * checker then expects none of its finals), and the others must not notice.
     */
    public void poisoned(Set<String> clients) {
        poisoned.addAll(clients);
        log.info("poisoned sessions: {}", clients);
    }

    public Set<String> poisoned() {
        return poisoned;
    }

    /** An expectation of the scenario that was not met: the scenario fails. */
    public void violation(String what) {
        note(what);
        violations.add(what);
    }

    public List<String> violations() {
        return violations;
    }

    public void note(String note) {
        log.info("note: {}", note);
        notes.add(note);
    }

    public List<String> notes() {
        return notes;
    }

    public void sleep(Duration d) {
        Cluster.sleep(d.toMillis());
    }

    /** Starts a stopped service again and waits for it to be ready (the fleet keeps going meanwhile). */
    public void restart(ServiceNode node) {
        long t0 = System.currentTimeMillis();
        node.start();
        node.awaitReady(Duration.ofSeconds(180));
        note(node.name() + " back in " + (System.currentTimeMillis() - t0) / 1000 + " s");
    }

    /** How long the faults last: the full run holds them as long as the issue asks, the short (CI) run less. */
    public record Durations(Duration brokerDown, Duration dbDown, Duration restartAfter, Duration workerFrozen) {}
}
