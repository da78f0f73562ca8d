package com.realtimevoice.tools.doctor;

import static com.realtimevoice.tools.doctor.Texts.DATE;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ServerMessage;
import com.realtimevoice.tools.DevTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Authentication by the Authorization header, as wx.connectSocket sends it: the socket's {@code start} is answered
 * with {@code started}, and that session is kept for the round trip. A refusal that is not about the token settles
 * the round trip instead.
 */
final class AuthCheck extends Check {

    static final String NAME = "Authentication";

    AuthCheck() {
        super(NAME);
    }

    /** The token to test with: the given one, else a development token if the server issues them (no line of its own). */
    static void obtainToken(Context ctx) {
        Doctor.Options options = ctx.options;
        if (options.token != null) {
            ctx.token = options.token;
            ctx.tokenSource = "the given token";
            return;
        }
        if (options.devTokenUser == null) {
            ctx.tokenProblem = "no token given (--token)";
            return;
        }
        try {
            RawHttp.Response r = ctx.target.http(
                    "POST",
                    ctx.ep().prefix() + "/api/auth/dev-token",
                    Map.of("Content-Type", "application/json"),
                    DevTokens.JSON
                            .writeValueAsString(Map.of("userId", options.devTokenUser))
                            .getBytes(StandardCharsets.UTF_8));
            JsonNode body = r.status() == 200 ? Texts.parse(r.body()) : null;
            if (body != null && !body.path("token").asString().isEmpty()) {
                ctx.token = body.path("token").asString();
                ctx.tokenSource =
                        "a development token for '" + options.devTokenUser + "' (the server runs the local profile)";
            } else if (r.status() == 404) {
                ctx.tokenProblem =
                        "no token given (--token), and the server issues no development tokens (not the local profile)";
            } else {
                ctx.tokenProblem = "no token given, and POST /api/auth/dev-token answered " + r.status();
            }
        } catch (IOException e) {
            ctx.tokenProblem = "no token given, and the development token request failed: " + e.getMessage();
        }
    }

    /** Leaves the started session in {@link Context#session}; true (the idle check runs either way). */
    @Override
    boolean run(Context ctx) throws InterruptedException {
        ctx.session = startSession(ctx);
        return true;
    }

    private Context.Session startSession(Context ctx) throws InterruptedException {
        String roundTrip = RoundTripCheck.NAME;
        if (ctx.token == null) {
            ctx.report(NAME, Status.SKIP, ctx.tokenProblem, "pass --token with a token from your login service");
            ctx.report(roundTrip, Status.SKIP, "needs a token", null);
            return null;
        }
        JsonNode claims = DevTokens.claims(ctx.token);
        RawWebSocket ws;
        try {
            ws = ctx.target.openSocket(ctx.token);
        } catch (IOException e) {
            ctx.report(NAME, Status.FAIL, "could not open the socket: " + e.getMessage(), "see the upgrade check");
            ctx.report(roundTrip, Status.SKIP, "no socket", null);
            return null;
        }
        boolean keep = false;
        try {
            ws.send(new ClientMessage.Start(null, "pcm", 16000, null, null, true));
            long deadline = System.nanoTime() + ctx.options.timeout.toNanos();
            while (true) {
                RawWebSocket.Event e = ws.nextBefore(deadline);
                ServerMessage m = e == null ? null : e.message();
                if (m instanceof ServerMessage.Started started) {
                    String warning = devTokenWarning(ctx);
                    ctx.report(
                            NAME,
                            warning == null ? Status.OK : Status.WARN,
                            "accepted " + ctx.tokenSource + describeClaims(claims) + " in the Authorization header",
                            warning);
                    keep = true;
                    return new Context.Session(ws, started.sessionId());
                }
                if (m instanceof ServerMessage.Error error) {
                    String code = Objects.toString(error.code(), "");
                    String message = Objects.toString(error.message(), "");
                    if (code.equals(ErrorCode.UNAUTHORIZED.name())) {
                        ctx.report(
                                NAME,
                                Status.FAIL,
                                "UNAUTHORIZED: " + DevTokens.abbreviate(message, 160) + describeClaims(claims),
                                tokenFix(claims));
                        ctx.report(roundTrip, Status.SKIP, "needs a valid token", null);
                    } else {
                        ctx.report(NAME, Status.OK, "token accepted (" + ctx.tokenSource + ")", null);
                        ctx.report(
                                roundTrip,
                                Status.FAIL,
                                "'start' refused: " + code + " " + message,
                                Texts.errorFix(code));
                    }
                    return null;
                }
                if (e == null || e.kind() != RawWebSocket.Event.Kind.TEXT) {
                    ctx.report(
                            NAME,
                            Status.FAIL,
                            e == null
                                    ? "no answer to 'start' within " + ctx.options.timeout.toSeconds() + " s"
                                    : "the socket closed before 'started' (" + Texts.closeText(e) + ")",
                            e == null
                                    ? "ingest-service accepted the socket but does not answer: see its log"
                                    : e.closeCode() == CloseCode.POLICY_VIOLATION.code
                                            ? tokenFix(claims)
                                            : "see the ingest-service log");
                    ctx.report(roundTrip, Status.SKIP, "no session", null);
                    return null;
                }
            }
        } catch (IOException e) {
            ctx.report(NAME, Status.FAIL, "the socket broke: " + e.getMessage(), "see the upgrade check");
            ctx.report(roundTrip, Status.SKIP, "no socket", null);
            return null;
        } finally {
            if (!keep) {
                ws.close();
            }
        }
    }

    private static String devTokenWarning(Context ctx) {
        if (ctx.tokenSource != null && ctx.tokenSource.startsWith("a development token")) {
            try {
                if (!ctx.target.address.isLoopbackAddress() && !ctx.target.address.isSiteLocalAddress()) {
                    return "WARNING: a public server issues development tokens: run it without the local profile and with AUTH_JWT_SECRET";
                }
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static String describeClaims(JsonNode claims) {
        if (claims == null) {
            return " (not a JWT)";
        }
        StringBuilder s = new StringBuilder();
        if (claims.has("sub")) {
            s.append(" sub=").append(claims.path("sub").asString());
        }
        if (claims.has("exp")) {
            Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong());
            s.append(exp.isBefore(Instant.now()) ? " EXPIRED " : " expires ").append(DATE.format(exp));
        }
        if (claims.has("iss")) {
            s.append(" iss=").append(claims.path("iss").asString());
        }
        if (claims.has("aud")) {
            s.append(" aud=").append(claims.path("aud").toString().replace("\"", ""));
        }
        return s.length() == 0 ? "" : " (" + s.toString().strip() + ")";
    }

    private static String tokenFix(JsonNode claims) {
        if (claims == null) {
            return "the token must be a JWT (header.payload.signature) from your login service";
        }
        if (claims.has("exp")
                && Instant.ofEpochSecond(claims.path("exp").asLong()).isBefore(Instant.now())) {
            return "the token has expired: get a fresh one (clients should refresh before exp)";
        }
        return "the token's signature, issuer or audience do not match this server: the issuer must sign with the same "
                + "AUTH_JWT_SECRET (HS256) and set iss=AUTH_JWT_ISSUER, aud=AUTH_JWT_AUDIENCE of ingest-service";
    }
}
