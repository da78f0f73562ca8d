package com.realtimevoice.faults;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.TokenSettings;
import com.realtimevoice.faults.check.BystanderDelay;
import com.realtimevoice.faults.check.Checker;
import com.realtimevoice.faults.check.Expected;
import com.realtimevoice.faults.check.Report;
import com.realtimevoice.faults.check.ScenarioResult;
import com.realtimevoice.faults.client.BenchStreams;
import com.realtimevoice.faults.client.ClientEvent;
import com.realtimevoice.faults.client.Fleet;
import com.realtimevoice.faults.client.FleetClient;
import com.realtimevoice.faults.client.Program;
import com.realtimevoice.faults.cluster.Cluster;
import com.realtimevoice.faults.cluster.ServiceNode;
import com.realtimevoice.faults.process.ProcessRegistry;
import com.realtimevoice.faults.scenario.FaultContext;
import com.realtimevoice.faults.scenario.Scenario;
import com.realtimevoice.faults.scenario.Scenarios;
import com.realtimevoice.testsupport.SpeechFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the fault scenarios against a cluster of real processes and checks every one: starts the cluster, runs each
 * program once through the clean pipeline (what is expected), then per scenario a fleet of resilient clients with
 * the fault injected mid-stream, then reads the database. Writes report.md (the table), details.md (per session)
 * and each scenario's client events (JSONL) under the run directory, with every process's log in logs/.
 *
 * <pre>
 * java -cp ... com.realtimevoice.faults.FaultHarness [short|full|scenario,scenario...]
 * </pre>
 *
 * <p>Longer than the ~400-line guide: it is the harness's one timeline (cluster, clean pass, each scenario's
 * inject/recover/check, report); the faults, clients and checks live in their own packages.
 */
public final class FaultHarness {

    private static final Logger log = LoggerFactory.getLogger(FaultHarness.class);

    /** How a suite runs: its scenarios, fleet and fault lengths. */
    public record Options(
            String suite,
            List<String> scenarios,
            int clients,
            double[] speeds,
            FaultContext.Durations durations,
            Duration settleTimeout) {

        public static Options forSuite(String suite) {
            if ("soak".equals(suite)) {
                // hours, outside CI (docs/reliability.md): every scenario at full length, round after round (~17 min a
                // round)
                int rounds = Integer.getInteger("faults.soak.rounds", 10);
                List<String> names = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    names.addAll(Scenarios.all().keySet());
                }
                Options full = forSuite("full");
                return new Options(
                        "soak", names, full.clients(), full.speeds(), full.durations(), full.settleTimeout());
            }
            if ("full".equals(suite)) {
                return new Options(
                        "full",
                        List.copyOf(Scenarios.all().keySet()),
                        6,
                        new double[] {1.0, 1.25, 1.5, 1.0, 1.25, 2.0},
                        new FaultContext.Durations(
                                Duration.ofSeconds(15),
                                Duration.ofSeconds(60),
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(20)),
                        Duration.ofSeconds(300));
            }
            // "all": every scenario, at the short suite's lengths; otherwise scenario names, comma-separated
            List<String> names = "short".equals(suite)
                    ? Scenarios.SHORT
                    : "all".equals(suite) ? List.copyOf(Scenarios.all().keySet()) : List.of(suite.split(","));
            return new Options(
                    "short".equals(suite) || "all".equals(suite) ? suite : "custom",
                    names,
                    4,
                    new double[] {2.0},
                    new FaultContext.Durations(
                            Duration.ofSeconds(15),
                            Duration.ofSeconds(12),
                            // A killed service is started again only after the 10 s recovery goal, as in the full
                            // suite: its JVM start (a core or more for 10-20 s) otherwise competes on these two
                            // cores with the survivor's replay, which in production has cores of its own.
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(20)),
                    Duration.ofSeconds(180));
        }
    }

    private final Options options;
    private final Path repo;
    private final Path root;
    private final List<Program> programs;
    private final TokenService tokens = new TokenService(
            new TokenSettings(Cluster.JWT_SECRET, "realtime-voice", "realtime-voice-clients", Duration.ofSeconds(30)));
    private Cluster cluster;
    /** Scenarios of the suite run so far. */
    private int runs;

    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private static final double CLEAN_SPEED = 2.0;

    public FaultHarness(Options options) {
        this.options = options;
        this.repo = SpeechFixtures.DIR.getParent().getParent();
        this.root = Path.of(System.getProperty(
                        "faults.dir",
                        repo.resolve("fault-harness/target/faults").toString()))
                .toAbsolutePath();
        this.programs = List.of(
                Program.of("medley", 1.0, "weather.wav", "numbers.wav", "time.wav", "sentences.wav"),
                Program.of("sentences-twice", 1.0, "sentences.wav", "sentences.wav"));
    }

    public static void main(String[] args) {
        String suite = args.length > 0 ? args[0] : System.getProperty("faults.suite", "short");
        List<ScenarioResult> results;
        try {
            results = new FaultHarness(Options.forSuite(suite)).run();
        } catch (Exception e) {
            log.error("the fault harness could not run", e);
            System.exit(2);
            return;
        }
        System.exit(results.stream().allMatch(ScenarioResult::passed) ? 0 : 1);
    }

    public Path root() {
        return root;
    }

    /** Starts everything, runs the suite, stops everything (whatever happens); returns one result per scenario. */
    public List<ScenarioResult> run() throws Exception {
        ProcessRegistry.init(root); // kills what a killed earlier run left behind, before its data is deleted
        for (String dir : List.of("mariadb", "kafka", "logs", "scenarios")) {
            deleteTree(root.resolve(dir));
        }
        Files.deleteIfExists(root.resolve("report.md"));
        Map<String, Scenario> catalogue = Scenarios.all();
        for (String name : options.scenarios()) {
            if (!catalogue.containsKey(name)) {
                throw new IllegalArgumentException("no scenario '" + name + "'; known: " + catalogue.keySet());
            }
        }
        List<ScenarioResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        cluster = new Cluster(Cluster.Settings.defaults(), repo, root);
        try {
            cluster.start();
            baseline();
            for (String name : options.scenarios()) {
                ScenarioResult result;
                try {
                    restore();
                    cluster.awaitHealthy(Duration.ofSeconds(180));
                    result = runScenario(catalogue.get(name));
                } catch (Exception e) {
                    log.error("scenario {} could not run", name, e);
                    result = ScenarioResult.harnessError(
                            name, catalogue.get(name).fault(), e);
                }
                results.add(result);
                runs++;
                writeReport(results, (System.nanoTime() - t0) / 1_000_000_000);
                log.info("{}: {}", name, result.passed() ? "PASS" : "FAIL");
            }
        } finally {
            cluster.close();
        }
        String table = writeReport(results, (System.nanoTime() - t0) / 1_000_000_000);
        System.out.println("\n=== fault harness (" + options.suite() + ") ===\n" + table);
        return results;
    }

    /** Each program once through the clean pipeline: its finals are what every faulty run must deliver. */
    private void baseline() throws Exception {
        List<FleetClient.Plan> plans = new ArrayList<>();
        for (int i = 0; i < programs.size(); i++) {
            plans.add(plan("baseline", i, programs.get(i), CLEAN_SPEED));
        }
        Fleet fleet = fleet(plans);
        fleet.start(Duration.ofMillis(300));
        if (!fleet.await(options.settleTimeout())) {
            throw new IllegalStateException("the clean run did not complete; see " + root.resolve("logs"));
        }
        fleet.write(root.resolve("scenarios/baseline/client-events.jsonl"));
        for (FleetClient client : fleet.clients()) {
            if (client.phase() != FleetClient.Phase.DONE) {
                throw new IllegalStateException(
                        "the clean run of " + client.plan().program().name() + " failed: " + client.failure());
            }
            java.util.TreeMap<Integer, String> finals = new java.util.TreeMap<>();
            for (ClientEvent e : fleet.events()) {
                if (e.client().equals(client.plan().name()) && "final".equals(e.kind())) {
                    finals.put(e.index(), e.text());
                }
            }
            List<String> texts = new ArrayList<>(finals.values());
            if (texts.isEmpty() || finals.lastKey() != texts.size() - 1) {
                throw new IllegalStateException(
                        "the clean run of " + client.plan().program().name() + " gave finals " + finals);
            }
            expected.put(
                    client.plan().program().name(),
                    new Expected(client.plan().program().name(), texts));
            log.info(
                    "clean run: {} ({} s of audio) gives {} finals: {}",
                    client.plan().program().name(),
                    client.plan().program().seconds(),
                    texts.size(),
                    texts);
        }
    }

    private ScenarioResult runScenario(Scenario scenario) throws Exception {
        log.info("===== scenario {}: {}", scenario.name(), scenario.fault());
        long t0 = System.currentTimeMillis();
        BenchStreams load = null;
        if (Scenarios.underLoad(scenario.name())) {
            load = new BenchStreams(
                            Scenarios.LOAD_STREAMS,
                            cluster.ingestNodes().stream()
                                    .map(ServiceNode::streamUrl)
                                    .toList(),
                            user -> tokens.issue(user, Duration.ofHours(4)),
                            Duration.ofSeconds(20))
                    .start(Duration.ofSeconds(5));
            Thread.sleep(8000);
            log.info("load: {} of {} bench-echo streams under way", load.streaming(), Scenarios.LOAD_STREAMS);
            t0 = System.currentTimeMillis();
        }
        java.time.Duration budget = Scenarios.bystanderBudget(scenario.name());
        CleanPass clean = null;
        if (budget != null) {
            clean = cleanPass(scenario);
            t0 = System.currentTimeMillis();
        }
        Fleet fleet = fleet(scenarioPlans(scenario.name()));
        fleet.start(Duration.ofMillis(400));
        FaultContext context = new FaultContext(cluster, fleet, options.durations());
        long wait = t0 + scenario.injectAfter().toMillis() - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        try {
            scenario.action().inject(context);
        } catch (Exception e) {
            log.error("injecting {} failed", scenario.name(), e);
            context.note("HARNESS ERROR while injecting: " + e);
        }
        boolean settled = fleet.await(options.settleTimeout());
        if (!settled) {
            context.note(
                    "some clients were still going " + options.settleTimeout().toSeconds() + " s after the fault");
        }
        if (load != null) {
            context.note(load.summary());
            load.close();
        }
        if (clean != null) {
            BystanderDelay.Comparison cmp =
                    BystanderDelay.compare(fleet, context.poisoned(), clean.fleet(), clean.stopped());
            if (cmp == null) {
                context.violation("NO BYSTANDER FINAL TO COMPARE WITH THE CLEAN PASS");
            } else if (cmp.worse() > budget.toMillis()) {
                context.violation("BYSTANDERS DELAYED " + cmp.worse() / 1000.0 + " s (most "
                        + budget.toMillis() / 1000.0 + " s): " + cmp);
            } else {
                context.note(cmp + ": at most " + cmp.worse() / 1000.0 + " s later");
            }
        }
        restore();
        fleet.write(scenarioDir(scenario.name()).resolve("client-events.jsonl"));
        long elapsed = (System.currentTimeMillis() - t0) / 1000;
        try (Connection db = cluster.db().connect(com.realtimevoice.faults.cluster.MariaDb.DATABASE)) {
            return Checker.check(
                    scenario.name(),
                    scenario.fault(),
                    fleet.clients(),
                    fleet.events(),
                    expected,
                    db,
                    context.injectedAt(),
                    context.endedAt(),
                    Scenarios.recoveryGoal(scenario.name()),
                    context.affected(),
                    context.poisoned(),
                    elapsed,
                    context.notes(),
                    context.violations());
        }
    }

    /** The scenario's directory of this run: a scenario run again in the same suite gets its own (name-2, name-3 ...). */
    private Path scenarioDir(String scenario) {
        long earlier = options.scenarios().subList(0, runs).stream()
                .filter(scenario::equals)
                .count();
        return root.resolve("scenarios").resolve(earlier == 0 ? scenario : scenario + "-" + (earlier + 1));
    }

    private List<FleetClient.Plan> scenarioPlans(String tag) {
        List<FleetClient.Plan> plans = new ArrayList<>();
        for (int i = 0; i < options.clients(); i++) {
            plans.add(plan(tag, i, programs.get(i % programs.size()), options.speeds()[i % options.speeds().length]));
        }
        return plans;
    }

    /** A clean pass and the clients it stopped where the scenario poisons its sessions. */
    private record CleanPass(Fleet fleet, java.util.Set<String> stopped) {}

    /**
     * The scenario's fleet (same programs, speeds, nodes and stagger) once with no fault, right before the faulty pass,
     * so that the bystanders are compared under the machine's load of the moment; where the scenario poisons sessions,
     * as many are given up at the poison's moment, so that both passes carry the same sessions throughout.
     */
    private CleanPass cleanPass(Scenario scenario) throws Exception {
        long t0 = System.currentTimeMillis();
        Fleet fleet = fleet(scenarioPlans(scenario.name() + "-clean"));
        fleet.start(Duration.ofMillis(400));
        java.util.Set<String> stopped = new java.util.LinkedHashSet<>();
        if (Scenarios.poisons(scenario.name())) {
            Thread.sleep(Math.max(0, t0 + scenario.injectAfter().toMillis() - System.currentTimeMillis()));
            for (FleetClient c : Scenarios.victims(fleet)) {
                c.requestStop("given up at the poison's moment (clean pass)");
                stopped.add(c.plan().name());
            }
        }
        if (!fleet.await(options.settleTimeout())) {
            log.warn("the clean pass of {} did not settle", scenario.name());
        }
        fleet.write(scenarioDir(scenario.name()).resolve("clean-pass-events.jsonl"));
        log.info(
                "clean pass of {} done in {} s; stopped {}",
                scenario.name(),
                (System.currentTimeMillis() - t0) / 1000,
                stopped);
        return new CleanPass(fleet, stopped);
    }

    /** Whatever a scenario left stopped or frozen is started or thawed again (a failed scenario must not spoil the next). */
    private void restore() {
        if (cluster.db().process().frozen()) {
            cluster.db().process().thaw();
        }
        if (!cluster.db().process().alive()) {
            cluster.db().start();
            cluster.db().awaitReady(Duration.ofSeconds(120));
        }
        if (!cluster.broker().process().alive()) {
            cluster.broker().start();
            cluster.broker().awaitReady(Duration.ofSeconds(120));
        }
        for (ServiceNode s : cluster.allServices()) {
            if (s.process().frozen()) {
                s.process().thaw();
            }
            if (!s.process().alive()) {
                log.warn("restarting {}, left down by the last scenario", s.name());
                s.start();
                s.awaitReady(Duration.ofSeconds(180));
            }
        }
    }

    private FleetClient.Plan plan(String scenario, int i, Program program, double speed) {
        String user = "fh-" + scenario + "-" + i;
        return new FleetClient.Plan(
                scenario + "#" + i, user, tokens.issue(user, Duration.ofHours(4)), program, speed, i);
    }

    private Fleet fleet(List<FleetClient.Plan> plans) {
        List<ServiceNode> nodes = cluster.ingestNodes();
        double slowest = plans.stream()
                .mapToDouble(p -> p.program().seconds() / p.speed())
                .max()
                .orElse(60);
        return new Fleet(
                plans,
                nodes.stream().map(ServiceNode::streamUrl).toList(),
                nodes.stream().map(ServiceNode::name).toList(),
                Duration.ofSeconds((long) slowest).plus(options.settleTimeout()));
    }

    private String writeReport(List<ScenarioResult> results, long elapsedSeconds) throws IOException {
        String table = Report.markdown(results);
        StringBuilder md = new StringBuilder("# Fault harness run (" + options.suite() + ")\n\n")
                .append(Instant.now())
                .append(", ")
                .append(elapsedSeconds)
                .append(" s in all; ")
                .append(cluster.ingestNodes().size())
                .append(" ingest nodes, ")
                .append(cluster.workers().size())
                .append(" workers, ")
                .append(cluster.resultServices().size())
                .append(" result services, ")
                .append(options.clients())
                .append(" clients per scenario.\n\nExpected finals (clean run):\n\n");
        expected.values()
                .forEach(e -> md.append("- ")
                        .append(e.program())
                        .append(": ")
                        .append(e.count())
                        .append(" finals ")
                        .append(e.finals())
                        .append('\n'));
        md.append('\n').append(table);
        Files.createDirectories(root);
        Files.writeString(root.resolve("report.md"), md, StandardCharsets.UTF_8);
        Files.writeString(root.resolve("details.md"), Report.details(results), StandardCharsets.UTF_8);
        return table;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
