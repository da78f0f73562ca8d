package com.realtimevoice.tools.doctor;

import com.realtimevoice.client.cli.Args;
import com.realtimevoice.tools.Endpoints;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code doctor}: diagnoses a deployment from the outside, the way a mini-program reaches it, and prints a checklist
 * with the fix for each failure: DNS, TCP, TLS, /health, the WebSocket upgrade, proxies that drop the upgrade headers,
 * authentication, a full round trip with a bundled clip, and an idle timeout that cuts quiet sockets. Each is a
 * {@link Check} of its own; this class runs them in order, stops where the rest cannot run, and sums up.
 */
public final class Doctor {

    public static final String USAGE_TEXT = """
            usage: doctor [options] URL
              Diagnoses a deployment: URL is its base (https://voice.example.com, http://localhost:8080, with any path
              prefix a proxy adds) or the stream URL a client uses (wss://voice.example.com/api/realtime-voice/stream).
            options:
              --token TOKEN       a JWT to test authentication and the round trip with (default $RV_TOKEN)
              --user ID           user for a development token when no token is given (default rv-doctor; local profile)
              --idle-seconds N    hold a quiet socket this long to find idle timeouts (default 70; 0 skips)
              --timeout N         seconds for each network step (default 10)
              --clip FILE.wav     speech for the round trip (default: a bundled clip saying "what time is it")
            exit codes: 0 nothing failed (warnings allowed), 1 something failed, 2 usage
            """;

    /** Name resolution, replaceable in tests so that no lookup leaves the machine. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final class Options {
        Duration timeout = Duration.ofSeconds(10);
        Duration idle = Duration.ofSeconds(70);
        String token;
        String devTokenUser = "rv-doctor";
        Path clip;
        Resolver resolver = InetAddress::getAllByName;
    }

    /** The checklist's lines, in the order they are printed. */
    static final List<String> ORDER = List.of(
            DnsCheck.NAME,
            TcpCheck.NAME,
            TlsCheck.NAME,
            HealthCheck.NAME,
            UpgradeCheck.NAME,
            UpgradeCheck.PROXY,
            AuthCheck.NAME,
            RoundTripCheck.NAME,
            IdleCheck.NAME);

    private final Endpoints ep;
    private final Options options;
    private final PrintStream out;
    private final Report report;
    private final Context ctx;

    Doctor(Endpoints endpoints, Options options, PrintStream out) {
        this.ep = endpoints;
        this.options = options;
        this.out = out;
        this.report = new Report(out);
        this.ctx = new Context(endpoints, options, report);
    }

    public static int main(String[] argv, PrintStream out, PrintStream err) {
        Options o = new Options();
        Endpoints endpoints;
        try {
            Args a = Args.parse(argv, Set.of("token", "user", "idle-seconds", "timeout", "clip"), Set.of("help", "h"));
            if (a.flag("help") || a.flag("h")) {
                out.print(USAGE_TEXT);
                return 0;
            }
            if (a.positional().size() != 1) {
                throw new Args.UsageException("give the deployment's URL");
            }
            endpoints = Endpoints.parse(a.positional().get(0));
            o.token = a.get("token", Args.env("RV_TOKEN"));
            o.devTokenUser = a.get("user", o.devTokenUser);
            o.idle = Duration.ofMillis((long) (a.number("idle-seconds", 70) * 1000));
            o.timeout = Duration.ofMillis((long) (a.number("timeout", 10) * 1000));
            if (a.has("clip")) {
                o.clip = Path.of(a.get("clip", null));
            }
        } catch (Args.UsageException e) {
            err.println("doctor: " + e.getMessage());
            err.print(USAGE_TEXT);
            return 2;
        }
        return new Doctor(endpoints, o, out).run();
    }

    List<Finding> results() {
        return report.findings();
    }

    Finding result(String name) {
        return report.result(name);
    }

    /** Runs every check, printing each as it completes; 0 if none failed. */
    int run() {
        out.println("realtime-voice doctor: " + ep.base() + "   (stream: " + ep.stream() + ")");
        out.println();
        try {
            runChecks();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("interrupted");
        }
        long failed = report.count(Status.FAIL);
        long warned = report.count(Status.WARN);
        long ok = report.count(Status.OK);
        long skipped = report.count(Status.SKIP);
        out.println();
        out.printf("doctor: %d ok, %d warning(s), %d failing, %d skipped%n", ok, warned, failed, skipped);
        if (failed > 0) {
            out.println("Fix the first failure first: the ones after it may follow from it.");
        }
        return failed > 0 ? 1 : 0;
    }

    private void runChecks() throws InterruptedException {
        if (!new DnsCheck().run(ctx) || !new TcpCheck().run(ctx)) {
            report.skipRemaining("needs a TCP connection");
            return;
        }
        if (!new TlsCheck().run(ctx)) {
            report.skipRemaining("needs a TLS connection");
            return;
        }
        new HealthCheck().run(ctx);
        AuthCheck.obtainToken(ctx);
        if (!new UpgradeCheck().run(ctx)) {
            for (String name : List.of(AuthCheck.NAME, RoundTripCheck.NAME, IdleCheck.NAME)) {
                report.report(name, Status.SKIP, "needs a WebSocket upgrade", null);
            }
            return;
        }
        new AuthCheck().run(ctx);
        // The idle hold runs beside the round trip, into a report of its own printed after it, so the lines keep
        // their order; it sends the token only once the token has proved good.
        boolean tokenGood = ctx.session != null
                || (ctx.token != null && report.result(AuthCheck.NAME).status() == Status.OK);
        CompletableFuture<Report> idle = options.idle.isZero()
                ? null
                : CompletableFuture.supplyAsync(() -> {
                    Report held = new Report(null);
                    new IdleCheck(tokenGood).run(ctx.reportingTo(held));
                    return held;
                });
        new RoundTripCheck().run(ctx);
        if (idle != null) {
            idle.join().replayInto(report);
        } else {
            report.report(IdleCheck.NAME, Status.SKIP, "--idle-seconds 0", null);
        }
    }
}
