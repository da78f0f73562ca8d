package com.realtimevoice.tools.doctor;

import static com.realtimevoice.tools.doctor.Texts.NGINX_UPGRADE;
import static com.realtimevoice.tools.doctor.Texts.via;

import com.realtimevoice.tools.DevTokens;
import com.realtimevoice.tools.Endpoints;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The stream path answers a WebSocket upgrade with 101. When it does not, it also settles {@link #PROXY}: whether a
 * proxy between drops the Upgrade and Connection headers (the same request without them gets the same answer).
 */
final class UpgradeCheck extends Check {

    static final String NAME = "WebSocket upgrade";
    static final String PROXY = "Proxy passes Upgrade";

    UpgradeCheck() {
        super(NAME);
    }

    @Override
    boolean run(Context ctx) {
        Endpoints ep = ctx.ep();
        String path = ep.streamPath();
        RawHttp.Response r;
        try (Socket s = ctx.target.open()) {
            RawWebSocket ws = RawWebSocket.handshake(s, ep.authority(), path, Map.of(), true);
            r = ws.handshake;
            if (ws.upgraded()) {
                if (!ws.acceptValid()) {
                    ctx.report(
                            NAME,
                            Status.FAIL,
                            "101 at " + path + " but with a wrong Sec-WebSocket-Accept" + via(r),
                            "something between rewrites the handshake: let the proxy pass it through unchanged");
                    ctx.report(PROXY, Status.FAIL, "the handshake was altered on its way", NGINX_UPGRADE);
                    ws.close();
                    return false;
                }
                ctx.report(NAME, Status.OK, "101 Switching Protocols at " + path + via(r), null);
                ctx.report(PROXY, Status.OK, "Upgrade and Connection reach the server", null);
                ws.close();
                return true;
            }
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "the upgrade request to " + path + " failed: " + e.getMessage(),
                    "a proxy or load balancer closes WebSocket upgrades: enable WebSocket support for " + path);
            ctx.report(PROXY, Status.SKIP, "no answer to judge by", null);
            return false;
        }
        String said = r.isJson() ? Texts.jsonMessage(r.body()) : DevTokens.abbreviate(Texts.stripHtml(r.body()), 120);
        String detail = "HTTP " + (r.status() + " " + r.reason()).strip() + " instead of 101 at " + path + via(r)
                + (said.isEmpty() ? "" : ": " + said);
        if (r.status() == 404) {
            JsonNode body = r.isJson() ? Texts.parse(r.body()) : null;
            String hint = body == null ? "" : body.path("hint").asString();
            if (!hint.isEmpty()) {
                ctx.report(
                        NAME,
                        Status.FAIL,
                        detail + " (hint: " + hint + ")",
                        "connect to " + (ep.secure() ? "wss://" : "ws://") + ep.authority() + ep.prefix()
                                + Endpoints.STREAM_PATH);
            } else {
                ctx.report(
                        NAME,
                        Status.FAIL,
                        detail + " (not ingest-service's JSON 404: the proxy has no route for it)",
                        "route " + path + " to ingest-service, with the upgrade headers (" + NGINX_UPGRADE + ")");
            }
            ctx.report(PROXY, Status.SKIP, "the path is wrong; fix it first", null);
            return false;
        }
        boolean headersLost = r.status() == 400 || r.status() == 426;
        try {
            // The same path without the upgrade headers: if the answer is the same, the headers never arrived.
            RawHttp.Response plain;
            try (Socket s = ctx.target.open()) {
                plain = RawWebSocket.handshake(s, ep.authority(), path, Map.of(), false).handshake;
            }
            headersLost =
                    headersLost || (plain.status() == r.status() && plain.body().equals(r.body()));
        } catch (IOException e) {
            // judge by the status alone
        }
        if (headersLost) {
            ctx.report(NAME, Status.FAIL, detail, "see the next line");
            ctx.report(
                    PROXY,
                    Status.FAIL,
                    "the server answers as if Upgrade/Connection were never sent: a proxy between drops them"
                            + (r.via().isEmpty() ? "" : " (" + r.via() + ")"),
                    NGINX_UPGRADE);
        } else if (r.status() == 502 || r.status() == 503 || r.status() == 504) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    detail,
                    "the proxy cannot reach ingest-service for " + path
                            + ": check proxy_pass and that the service runs");
            ctx.report(PROXY, Status.SKIP, "no upstream to judge by", null);
        } else {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    detail,
                    "GET " + path + " with Upgrade: websocket must reach ingest-service and answer 101");
            ctx.report(PROXY, Status.SKIP, "the answer does not tell", null);
        }
        return false;
    }
}
