package com.realtimevoice.tools.doctor;

import com.realtimevoice.tools.DevTokens;
import com.realtimevoice.tools.Endpoints;
import java.io.IOException;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** GET /health reaches ingest-service (not a proxy's error page or another application) and it is UP. */
final class HealthCheck extends Check {

    static final String NAME = "HTTP /health";

    HealthCheck() {
        super(NAME);
    }

    /** Always true: the checks after it learn more from their own requests. */
    @Override
    boolean run(Context ctx) {
        Endpoints ep = ctx.ep();
        String path = ep.prefix() + "/health";
        RawHttp.Response r;
        try {
            r = ctx.target.http("GET", path, Map.of("Accept", "application/json"), null);
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "no HTTP answer to GET " + path + ": " + e.getMessage(),
                    "something that is not an HTTP server listens on " + ep.port()
                            + (ep.secure() ? "" : " (a TLS port? then use https://)"));
            return true;
        }
        String via = Texts.via(r);
        if (r.body().contains("plain HTTP request was sent to HTTPS port")) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    r.status() + ": this port expects TLS" + via,
                    "use https:// (and wss:// in the client)");
            return true;
        }
        if (r.status() == 200 && r.isJson()) {
            JsonNode body = Texts.parse(r.body());
            String status = body == null ? "" : body.path("status").asString();
            String service = body == null ? "" : body.path("service").asString();
            String detail = "200 " + DevTokens.abbreviate(r.body(), 160) + via;
            if ("UP".equals(status)) {
                ctx.report(NAME, Status.OK, detail, null);
            } else {
                ctx.report(NAME, Status.WARN, detail + "; not UP", "see the ingest-service log");
            }
            if (!service.isEmpty() && !service.equals("ingest-service")) {
                ctx.report(
                        NAME,
                        Status.WARN,
                        "answered by '" + service + "', not ingest-service",
                        "route the public URL to ingest-service (PORT, default 8080), not " + service);
            }
            return true;
        }
        switch (r.status()) {
            case 200 ->
                ctx.report(
                        NAME,
                        Status.FAIL,
                        "200 but not ingest-service's JSON: " + DevTokens.abbreviate(r.body(), 120) + via,
                        "another application answers here: route " + path + " and /api/ to ingest-service");
            case 503 ->
                ctx.report(
                        NAME,
                        Status.FAIL,
                        "503 " + DevTokens.abbreviate(r.body(), 160) + via,
                        r.isJson()
                                ? "ingest-service runs but is not ready: see its log (Kafka reachable? KAFKA_BOOTSTRAP_SERVERS)"
                                : "the proxy has no healthy upstream: start ingest-service or fix the proxy_pass address");
            case 502, 504 ->
                ctx.report(
                        NAME,
                        Status.FAIL,
                        r.status() + " from the proxy" + via,
                        "the proxy cannot reach ingest-service: is it running, and does proxy_pass name its host and port (PORT, default 8080)?");
            case 404 ->
                ctx.report(
                        NAME,
                        Status.FAIL,
                        "404 at " + path + via
                                + (r.isJson()
                                        ? " " + DevTokens.abbreviate(r.body(), 160)
                                        : " (not from ingest-service)"),
                        "route " + path
                                + " and /api/ to ingest-service (nginx: location / { proxy_pass http://ingest:8080; })");
            default ->
                ctx.report(
                        NAME,
                        Status.FAIL,
                        r.status() + " " + r.reason() + via + " " + DevTokens.abbreviate(r.body(), 120),
                        "GET " + path + " must reach ingest-service");
        }
        return true;
    }
}
