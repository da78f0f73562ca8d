package com.realtimevoice.faults.scenario;

import com.realtimevoice.events.Topics;
import com.realtimevoice.faults.client.FleetClient;
import com.realtimevoice.faults.cluster.ServiceNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The catalogue of faults (issue 3). The short suite runs in CI; the full one holds faults as long as the issue asks. */
public final class Scenarios {

    private Scenarios() {}

    /**
     * The CI suite (about 4 minutes with the cluster's start): one fault of each kind at short lengths. The others
     * (SIGSTOP and SIGTERM of a worker, SIGTERM of result-service and ingest, the database frozen) run in the full suite.
     */
    // broker-restart is QUARANTINED from the CI suite since 2026-12-05 (still in the full and "all" suites): after the
    // 15 s outage 2 sessions once got SESSION_NOT_FOUND from the worker (issue 18, docs/reliability.md). With the
    // CommitPositions and idle-timer fixes it passed 3 of 3 runs (2026-12-06); back in costs ~60-100 s of CI.
    // poison-bystander is out too: two passes of the fleet (~60-80 s on the loaded VM), more than CI's budget allows.
    public static final List<String> SHORT =
            List.of("worker-kill", "result-kill", "ingest-kill", "db-restart", "client-drop", "corrupt-records");

    /**
     * The recovery goal of issue 18, as shipped: each affected session's next result (partial, final or completed) at
     * most this long after the fault, or after its end for a fault that lasts (SIGSTOP, broker outage).
     */
    private static final Map<String, Duration> RECOVERY_GOALS = Map.of(
            "worker-kill",
            seconds(10),
            "result-kill",
            seconds(10),
            "ingest-kill",
            seconds(10),
            "worker-sigterm",
            seconds(2),
            "result-sigterm",
            seconds(2),
            "ingest-sigterm",
            seconds(2),
            "worker-sigstop",
            seconds(10),
            "broker-restart",
            seconds(10),
            // poison must not delay the sessions it is not keyed by: their next result as soon as without it
            "corrupt-records",
            seconds(3));

    /**
     * Poison for some sessions must not delay the others (issue 18): how much later the bystanders' finals may come
     * (median and largest latency) than in a clean pass of the same fleet run right before (check/BystanderDelay).
     */
    private static final Map<String, Duration> BYSTANDER_BUDGETS =
            Map.of("poison-bystander", seconds(2), "bystander-control", seconds(2));

    public static Duration bystanderBudget(String scenario) {
        return BYSTANDER_BUDGETS.get(scenario);
    }

    /** Sessions a poisoning scenario poisons: the first ones under way at the fault's moment. */
    private static final int POISONED = 2;

    /** The sessions a poisoning scenario poisons now; its clean pass stops the same ones at the same moment. */
    public static List<FleetClient> victims(com.realtimevoice.faults.client.Fleet fleet) {
        return fleet.clients().stream()
                .filter(FleetClient::active)
                .limit(POISONED)
                .toList();
    }

    /** Whether a scenario poisons sessions ({@link #victims}), rather than leaving every session alone. */
    public static boolean poisons(String scenario) {
        return "poison-bystander".equals(scenario) || "corrupt-records".equals(scenario);
    }

    /** Faults under load: these run again as {@code <name>-under-load}, beside {@link #LOAD_STREAMS} bench-echo streams. */
    static final List<String> UNDER_LOAD = List.of("worker-kill", "result-kill", "ingest-kill", "broker-restart");

    public static final String LOAD_SUFFIX = "-under-load";
    public static final int LOAD_STREAMS = 150;

    /** The recovery goal of a scenario (under load: the same), or null. */
    public static Duration recoveryGoal(String scenario) {
        return RECOVERY_GOALS.get(
                underLoad(scenario) ? scenario.substring(0, scenario.length() - LOAD_SUFFIX.length()) : scenario);
    }

    public static boolean underLoad(String scenario) {
        return scenario.endsWith(LOAD_SUFFIX);
    }

    public static Map<String, Scenario> all() {
        Map<String, Scenario> s = new LinkedHashMap<>();
        add(
                s,
                new Scenario(
                        "worker-kill",
                        "kill -9 of an ASR worker mid-utterance, restarted after a pause",
                        seconds(6),
                        ctx -> {
                            ServiceNode worker = ctx.cluster().workers().get(0);
                            worker.process().kill();
                            ctx.injectedOnAll();
                            ctx.sleep(ctx.durations().restartAfter());
                            ctx.restart(worker);
                        }));
        add(
                s,
                new Scenario(
                        "worker-sigstop",
                        "SIGSTOP of an ASR worker past the consumer session timeout, then SIGCONT",
                        seconds(6),
                        ctx -> {
                            ServiceNode worker = ctx.cluster().workers().get(1);
                            worker.process().freeze();
                            ctx.injectedOnAll();
                            ctx.sleep(ctx.durations().workerFrozen());
                            worker.process().thaw();
                            ctx.ended();
                        }));
        add(s, new Scenario("worker-sigterm", "SIGTERM of an ASR worker (graceful), restarted", seconds(6), ctx -> {
            ServiceNode worker = ctx.cluster().workers().get(0);
            ctx.injectedOnAll();
            Duration took = worker.process().terminate(Duration.ofSeconds(60));
            ctx.note("worker-1 exited " + took.toMillis() / 1000.0 + " s after SIGTERM");
            ctx.restart(worker);
        }));
        add(
                s,
                new Scenario(
                        "result-kill",
                        "kill -9 of a result-service right after it delivered a final",
                        seconds(4),
                        ctx -> {
                            ServiceNode result = ctx.cluster().resultServices().get(0);
                            if (!ctx.fleet().awaitNextFinal(Duration.ofSeconds(30))) {
                                ctx.note("no final flowed within 30 s; killed anyway");
                            }
                            result.process().kill();
                            ctx.injectedOnAll();
                            ctx.sleep(ctx.durations().restartAfter());
                            ctx.restart(result);
                        }));
        add(
                s,
                new Scenario(
                        "result-sigterm",
                        "SIGTERM of a result-service (graceful) while finals flow, restarted",
                        seconds(4),
                        ctx -> {
                            ServiceNode result = ctx.cluster().resultServices().get(1);
                            ctx.fleet().awaitNextFinal(Duration.ofSeconds(30));
                            ctx.injectedOnAll();
                            Duration took = result.process().terminate(Duration.ofSeconds(60));
                            ctx.note("result-2 exited " + took.toMillis() / 1000.0 + " s after SIGTERM");
                            ctx.restart(result);
                        }));
        add(
                s,
                new Scenario(
                        "ingest-kill",
                        "kill -9 of an ingest node: its clients resume on the other node",
                        seconds(6),
                        ctx -> {
                            ServiceNode node = ctx.cluster().ingestNodes().get(0);
                            java.util.Set<FleetClient> on =
                                    ctx.clientsOn(node); // before the kill: its clients notice at once
                            node.process().kill();
                            ctx.injected(on::contains);
                            ctx.sleep(ctx.durations().restartAfter());
                            ctx.restart(node);
                        }));
        add(
                s,
                new Scenario(
                        "ingest-sigterm",
                        "SIGTERM of an ingest node (1012 to its clients, which resume elsewhere)",
                        seconds(6),
                        ctx -> {
                            ServiceNode node = ctx.cluster().ingestNodes().get(1);
                            ctx.injected(ctx.clientsOn(node)::contains);
                            Duration took = node.process().terminate(Duration.ofSeconds(60));
                            ctx.note(node.name() + " exited " + took.toMillis() / 1000.0 + " s after SIGTERM");
                            ctx.restart(node);
                        }));
        add(
                s,
                new Scenario(
                        "watchers-ingest-kill",
                        "kill -9 of the ingest node holding half of a session's live-caption "
                                + "watchers: they reconnect to the other node and see every final exactly once",
                        seconds(6),
                        WatchersScenario::killWatchedNode));
        add(
                s,
                new Scenario(
                        "broker-restart",
                        "the Kafka broker killed, restarted on the same port and data later",
                        seconds(5),
                        ctx -> {
                            ctx.cluster().broker().process().kill();
                            ctx.injectedOnAll();
                            ctx.sleep(ctx.durations().brokerDown());
                            long t0 = System.currentTimeMillis();
                            ctx.cluster().broker().start();
                            ctx.cluster().broker().awaitReady(Duration.ofSeconds(120));
                            ctx.ended();
                            ctx.note("broker down "
                                    + ctx.durations().brokerDown().toSeconds() + " s, ready "
                                    + (System.currentTimeMillis() - t0) / 1000 + " s after restart");
                        }));
        add(s, new Scenario("db-pause", "MariaDB frozen (SIGSTOP) while finals flow, then SIGCONT", seconds(4), ctx -> {
            ctx.cluster().db().process().freeze();
            ctx.injectedOnAll();
            ctx.sleep(ctx.durations().dbDown());
            ctx.cluster().db().process().thaw();
            ctx.note("database frozen " + ctx.durations().dbDown().toSeconds() + " s");
        }));
        add(
                s,
                new Scenario(
                        "db-restart", "MariaDB killed (kill -9), restarted on the same data later", seconds(4), ctx -> {
                            ctx.cluster().db().process().kill();
                            ctx.injectedOnAll();
                            ctx.sleep(ctx.durations().dbDown());
                            ctx.cluster().db().start();
                            ctx.cluster().db().awaitReady(Duration.ofSeconds(120));
                            ctx.note("database down " + ctx.durations().dbDown().toSeconds() + " s");
                        }));
        add(
                s,
                new Scenario(
                        "client-drop",
                        "clients cut their sockets mid-stream (no close frame) and resume",
                        seconds(5),
                        ctx -> {
                            List<FleetClient> clients = ctx.fleet().clients();
                            ctx.injected(c -> clients.indexOf(c) % 2 == 0);
                            int n = 0;
                            for (FleetClient c : clients) {
                                if (clients.indexOf(c) % 2 == 0) {
                                    c.requestDrop(
                                            n++ % 2 == 0); // half of them come back to the same node, half to the other
                                }
                            }
                            ctx.sleep(Duration.ofSeconds(4));
                            for (FleetClient c : clients) {
                                if (clients.indexOf(c) % 2 == 1 && c.active()) {
                                    c.requestDrop(false);
                                }
                            }
                            ctx.note("dropped: every client once (even ones at the fault, odd ones 4 s later)");
                        }));
        add(
                s,
                new Scenario(
                        "corrupt-records",
                        "undecodable records published onto every topic, two live sessions' keys among them",
                        seconds(4),
                        Scenarios::poisonTwo));
        add(
                s,
                new Scenario(
                        "poison-bystander",
                        "as corrupt-records; the bystanders' final latency held against a clean pass of the "
                                + "same fleet right before (2 s at most later)",
                        seconds(4),
                        Scenarios::poisonTwo));
        // The control for poison-bystander: the same two passes and check with no fault in the second, so that what
        // the machine's load alone does to the comparison shows next to it (it must pass too).
        add(
                s,
                new Scenario(
                        "bystander-control",
                        "no fault: every client's final latency held against a clean pass right before, "
                                + "as in poison-bystander",
                        seconds(4),
                        ctx -> {
                            ctx.injected(c -> true);
                            ctx.note("no fault injected");
                        }));
        for (String name : UNDER_LOAD) {
            Scenario plain = s.get(name);
            add(
                    s,
                    new Scenario(
                            name + LOAD_SUFFIX,
                            plain.fault() + ", beside " + LOAD_STREAMS + " bench-echo streams",
                            plain.injectAfter(),
                            plain.action()));
        }
        return s;
    }

    /**
     * Corrupt records on every topic, keyed by two live sessions and by a stranger: the two must end UNPROCESSABLE,
     * every record must be dead-lettered, and the others must not notice.
     */
    private static void poisonTwo(FaultContext ctx) throws Exception {
        long before = CorruptRecords.deadLettered(ctx.cluster().admin());
        List<String> topics = new ArrayList<>(List.of(Topics.AUDIO, Topics.TRANSCRIPTS));
        for (ServiceNode node : ctx.cluster().ingestNodes()) {
            topics.add(Topics.delivery(node.name()));
        }
        // two live sessions get poison keyed by them: each must end UNPROCESSABLE; the others must not notice
        List<FleetClient> victims = victims(ctx.fleet());
        ctx.poisoned(victims.stream().map(c -> c.plan().name()).collect(Collectors.toSet()));
        ctx.injected(c -> !victims.contains(c));
        int published = CorruptRecords.publish(
                ctx.cluster().broker().bootstrapServers(),
                topics,
                victims.stream().map(FleetClient::sessionId).toList());
        // dead-lettering is asynchronous: give the consumers a moment
        long dead = 0;
        for (int i = 0; i < 60 && dead < published; i++) {
            ctx.sleep(Duration.ofMillis(500));
            dead = CorruptRecords.deadLettered(ctx.cluster().admin()) - before;
        }
        ctx.note(
                published + " corrupt records published onto " + topics.size() + " topics, " + dead + " dead-lettered");
        if (dead < published) {
            ctx.violation("NOT ALL CORRUPT RECORDS REACHED A DEAD-LETTER TOPIC: " + dead + " of " + published);
        }
    }

    private static void add(Map<String, Scenario> map, Scenario s) {
        map.put(s.name(), s);
    }

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
