package com.realtimevoice.tools.doctor;

import com.realtimevoice.protocol.CloseCode;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Holds a socket open without sending anything, as a user who pauses; anything that cuts it is a timeout. It runs
 * beside the round trip (see {@link Doctor}), and sends the token only once the token has proved good.
 */
final class IdleCheck extends Check {

    static final String NAME = "Idle timeout";

    private final boolean withToken;

    IdleCheck(boolean withToken) {
        super(NAME);
        this.withToken = withToken;
    }

    @Override
    boolean run(Context ctx) {
        ctx.report.report(hold(ctx));
        return true;
    }

    private Finding hold(Context ctx) {
        long t0 = System.nanoTime();
        long idleSeconds = ctx.options.idle.toSeconds();
        try (RawWebSocket ws = ctx.target.openSocket(withToken ? ctx.token : null)) {
            long deadline = t0 + ctx.options.idle.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    int pings = ws.pingsReceived.get();
                    String detail = "a quiet socket stayed open " + idleSeconds + " s; "
                            + (pings > 0
                                    ? pings + " heartbeat ping(s) from the server"
                                    : "no heartbeat ping in that time");
                    if (pings == 0 && idleSeconds >= 60) {
                        return new Finding(
                                NAME,
                                Status.WARN,
                                detail,
                                "the server sends pings every INGEST_HEARTBEAT_INTERVAL (25 s): is it lower than the proxy's idle timeout?");
                    }
                    return new Finding(NAME, Status.OK, detail, null);
                }
                RawWebSocket.Event e = ws.next(left, TimeUnit.NANOSECONDS);
                if (e == null || e.kind() == RawWebSocket.Event.Kind.TEXT) {
                    continue;
                }
                double after = (e.atNanos() - t0) / 1e9;
                if (e.kind() == RawWebSocket.Event.Kind.CLOSE
                        && e.closeCode() == CloseCode.POLICY_VIOLATION.code
                        && !withToken) {
                    return new Finding(
                            NAME,
                            Status.SKIP,
                            String.format(
                                    Locale.ROOT,
                                    "the server closes sockets without a valid token after %.1f s (INGEST_AUTH_TIMEOUT), so a quiet one "
                                            + "cannot be held",
                                    after),
                            "pass --token to measure idle timeouts");
                }
                if (e.kind() == RawWebSocket.Event.Kind.CLOSE) {
                    return new Finding(
                            NAME,
                            Status.FAIL,
                            String.format(
                                    Locale.ROOT,
                                    "the server closed a quiet socket after %.1f s (%d %s)",
                                    after,
                                    e.closeCode(),
                                    e.closeReason()),
                            e.closeCode() == CloseCode.POLICY_VIOLATION.code
                                    ? "the socket was refused: see the authentication check"
                                    : "the server itself ends idle sockets: see the ingest-service log");
                }
                return new Finding(
                        NAME,
                        Status.FAIL,
                        String.format(
                                Locale.ROOT,
                                "a quiet socket was cut after %.1f s without a close frame, after %d heartbeat ping(s): an idle "
                                        + "timeout between client and server",
                                after,
                                ws.pingsReceived.get()),
                        "raise the proxy's idle timeout above 60 s (nginx: proxy_read_timeout 3600s; proxy_send_timeout 3600s; "
                                + "load balancers: idle timeout), or lower INGEST_HEARTBEAT_INTERVAL below it");
            }
        } catch (IOException e) {
            return new Finding(
                    NAME, Status.FAIL, "could not open a socket to hold: " + e.getMessage(), "see the upgrade check");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Finding(NAME, Status.SKIP, "interrupted", null);
        }
    }
}
