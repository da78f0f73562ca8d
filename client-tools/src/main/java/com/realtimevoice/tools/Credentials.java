package com.realtimevoice.tools;

import com.realtimevoice.client.cli.Args;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;

/** The token a command runs with: {@code --token}, a development token for {@code --user}, or {@code $RV_TOKEN}. */
final class Credentials {

    private Credentials() {}

    /** No token could be had; {@link #exitCode} is the command's exit code for it (3 refused, 4 unreachable, 5 other). */
    static final class Failed extends Exception {
        final int exitCode;

        Failed(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Checks that some way to a token was given, before any input is read. */
    static void require(Args args) throws Args.UsageException {
        if (!args.has("token") && !args.has("user") && Args.env("RV_TOKEN") == null) {
            throw new Args.UsageException("give --token TOKEN (or RV_TOKEN), or --user ID for a development token");
        }
    }

    static String token(Args args, HttpClient http, Endpoints endpoints)
            throws Args.UsageException, Failed, InterruptedException {
        require(args);
        String token = args.get("token", null);
        if (token == null && args.has("user")) {
            try {
                token = DevTokens.fetch(http, endpoints, args.get("user", null), Duration.ofSeconds(15));
            } catch (DevTokens.Refused e) {
                throw new Failed(e.status == 404 || e.status == 401 || e.status == 403 ? 3 : 5, e.getMessage());
            } catch (IOException e) {
                throw new Failed(
                        4,
                        "cannot reach " + endpoints.base() + ": " + describe(e)
                                + "\n  diagnose with: java -jar realtime-voice-tools.jar doctor " + endpoints.base());
            }
        }
        return token != null ? token : Args.env("RV_TOKEN");
    }

    /** A connection failure in words a user acts on. */
    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection refused (is the service running on that port?)";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out (firewall? wrong host?)";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed: " + e.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
