package com.realtimevoice.faults.scenario;

import com.realtimevoice.client.CaptionWatcher;
import com.realtimevoice.faults.client.FleetClient;
import com.realtimevoice.faults.cluster.ServiceNode;
import com.realtimevoice.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live captions through a node's loss (issue 23): watchers of live sessions, half on each ingest node; the node
 * holding half of them is killed (-9); those watchers reconnect to the other node with the last index they saw. Each
 * watcher must end with every stored final of its session exactly once, in index order, then completed.
 */
final class WatchersScenario {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int SESSIONS = 2;
    private static final int WATCHERS_PER_NODE = 3;

    /** One watcher's view: every final it got, in arrival order, and whether it saw completed. */
    private static final class Seen {
        final String sessionId;
        final String owner;
        final List<Integer> indexes = new ArrayList<>();
        final Map<Integer, String> texts = new ConcurrentHashMap<>();
        final CompletableFuture<String> completed = new CompletableFuture<>();
        volatile CaptionWatcher watcher;
        volatile int reconnects;

        Seen(String sessionId, String owner) {
            this.sessionId = sessionId;
            this.owner = owner;
        }
    }

    private WatchersScenario() {}

    static void killWatchedNode(FaultContext ctx) throws Exception {
        List<ServiceNode> nodes = ctx.cluster().ingestNodes();
        ServiceNode victim = nodes.get(0);
        ServiceNode survivor = nodes.get(1);
        HttpClient http = HttpClient.newHttpClient();
        ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor();
        List<Seen> seen = new ArrayList<>();
        try {
            List<FleetClient> sessions = ctx.fleet().clients().stream()
                    .filter(FleetClient::active)
                    .limit(SESSIONS)
                    .toList();
            for (FleetClient speaker : sessions) {
                HttpResponse<String> link = http.send(
                        HttpRequest.newBuilder(URI.create(
                                        base(survivor) + "/api/sessions/" + speaker.sessionId() + "/watchers"))
                                .header(
                                        "Authorization",
                                        "Bearer " + speaker.plan().token())
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (link.statusCode() != 200) {
                    ctx.violation(
                            "POST watchers of " + speaker.sessionId() + ": " + link.statusCode() + " " + link.body());
                    continue;
                }
                String token = JSON.readTree(link.body()).get("watchToken").asString();
                for (int i = 0; i < 2 * WATCHERS_PER_NODE; i++) {
                    ServiceNode on = i % 2 == 0 ? victim : survivor;
                    Seen s = new Seen(speaker.sessionId(), speaker.plan().token());
                    seen.add(s);
                    URI survivorUrl = watchUrl(survivor, token);
                    s.watcher = CaptionWatcher.open(
                                    http, watchUrl(on, token), Duration.ofSeconds(10), listener(s, survivorUrl, retry))
                            .get(15, TimeUnit.SECONDS);
                }
            }
            ctx.sleep(Duration.ofSeconds(2)); // some finals flow to every watcher
            ctx.injected(ctx.clientsOn(victim)::contains);
            victim.process().kill();
            ctx.note("killed " + victim.name() + " holding " + seen.size() / 2 + " of " + seen.size() + " watchers of "
                    + sessions.size() + " sessions");
            ctx.sleep(ctx.durations().restartAfter());
            ctx.restart(victim);
            int exact = 0;
            int reconnected = 0;
            for (Seen s : seen) {
                String text;
                try {
                    text = s.completed.get(180, TimeUnit.SECONDS);
                } catch (Exception e) {
                    ctx.violation("a watcher of " + s.sessionId + " never saw completed (finals " + s.indexes + ")");
                    continue;
                }
                reconnected += s.reconnects > 0 ? 1 : 0;
                List<String> stored = storedFinals(http, survivor, s);
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < stored.size(); i++) {
                    expected.add(i);
                }
                List<String> got = s.indexes.stream().map(s.texts::get).toList();
                if (!s.indexes.equals(expected) || !got.equals(stored)) {
                    ctx.violation("watcher of " + s.sessionId + ": finals " + s.indexes + " (expected each of 0.."
                            + (stored.size() - 1) + " once)"
                            + (got.equals(stored) ? "" : ", texts differ from the stored ones"));
                } else if (!text.equals(String.join(" ", stored))) {
                    ctx.violation("watcher of " + s.sessionId + ": completed text differs from the stored transcript");
                } else {
                    exact++;
                }
            }
            ctx.note(exact + " of " + seen.size() + " watchers saw every stored final exactly once, in order; "
                    + reconnected + " reconnected to " + survivor.name());
        } finally {
            seen.forEach(s -> {
                if (s.watcher != null) {
                    s.watcher.close();
                }
            });
            retry.shutdownNow();
        }
    }

    /** Records finals; on a lost connection (not a close of the server's choosing) reconnects to the survivor. */
    private static CaptionWatcher.Listener listener(Seen s, URI survivor, ScheduledExecutorService retry) {
        return new CaptionWatcher.Listener() {
            @Override
            public void onMessage(ServerMessage message) {
                if (message instanceof ServerMessage.Final f) {
                    synchronized (s.indexes) {
                        s.indexes.add(f.index());
                    }
                    s.texts.put(f.index(), f.text());
                } else if (message instanceof ServerMessage.Completed c) {
                    s.completed.complete(c.text());
                }
            }

            @Override
            public void onClose(int code, String reason) {
                if (code != 1000 && !s.completed.isDone()) {
                    reconnect();
                }
            }

            @Override
            public void onFailure(Throwable error) {
                if (!s.completed.isDone()) {
                    reconnect();
                }
            }

            private void reconnect() {
                s.reconnects++;
                retry.schedule(
                        () -> s.watcher.reconnect(survivor).exceptionally(e -> {
                            onFailure(e); // the survivor is busy taking the other clients: try again shortly
                            return null;
                        }),
                        500,
                        TimeUnit.MILLISECONDS);
            }
        };
    }

    private static List<String> storedFinals(HttpClient http, ServiceNode node, Seen s) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base(node) + "/api/sessions/" + s.sessionId))
                        .header("Authorization", "Bearer " + s.owner)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> texts = new ArrayList<>();
        for (JsonNode segment : JSON.readTree(r.body()).path("segments")) {
            texts.add(segment.get("text").asString());
        }
        return texts;
    }

    private static String base(ServiceNode node) {
        return "http://127.0.0.1:" + node.port();
    }

    private static URI watchUrl(ServiceNode node, String token) {
        return URI.create("ws://127.0.0.1:" + node.port() + "/api/realtime-voice/watch?token=" + token);
    }
}
