package com.realtimevoice.tools;

import com.realtimevoice.client.CaptionWatcher;
import com.realtimevoice.protocol.ServerMessage;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code watch URL}: follows a session's live captions from a watch link, printing each final as a line (and, with
 * {@code --partials}, partials on stderr), until the session completes. A dropped connection is retried with the last
 * final index seen, so nothing is printed twice or skipped. Exit codes: 0 completed, 1 refused or revoked, 2 usage,
 * 3 the server could not be reached.
 */
final class Watch {

    static final String USAGE_TEXT = """
            watch URL [--partials] [--retries N]
              Follows a session's live captions from its watch link (POST /api/sessions/{id}/watchers gives one):
              the finals so far, then live ones, one line each, until the session completes.
              --partials   also print partial text (to stderr)
              --retries N  reconnect attempts after a dropped connection (default 5)
            """;

    private final PrintStream out;
    private final PrintStream err;

    Watch(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws InterruptedException {
        String link = null;
        boolean partials = false;
        int retries = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--partials" -> partials = true;
                case "--retries" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("\\d{1,3}")) {
                        err.println("--retries needs a number from 0 to 999");
                        return 2;
                    }
                    retries = Integer.parseInt(args[++i]);
                }
                case "-h", "--help" -> {
                    out.print(USAGE_TEXT);
                    return 0;
                }
                default -> {
                    if (link != null || args[i].startsWith("-")) {
                        err.println("unexpected argument '" + args[i] + "'\n" + USAGE_TEXT);
                        return 2;
                    }
                    link = args[i];
                }
            }
        }
        URI url;
        try {
            url = link == null ? null : URI.create(link);
        } catch (IllegalArgumentException e) {
            url = null;
        }
        if (url == null || !("ws".equals(url.getScheme()) || "wss".equals(url.getScheme()))) {
            err.println("a watch link ws(s)://HOST/api/realtime-voice/watch?token=... is required\n" + USAGE_TEXT);
            return 2;
        }
        boolean showPartials = partials;
        // the close (or failure) of the current connection; a new one for each reconnect
        AtomicReference<CompletableFuture<Integer>> closed = new AtomicReference<>(new CompletableFuture<>());
        CaptionWatcher.Listener listener = new CaptionWatcher.Listener() {
            @Override
            public void onMessage(ServerMessage message) {
                if (message instanceof ServerMessage.Final f) {
                    out.println(f.text());
                } else if (message instanceof ServerMessage.Partial p && showPartials) {
                    err.println("... " + p.text());
                } else if (message instanceof ServerMessage.Error e) {
                    err.println("error " + e.code() + ": " + e.message());
                }
            }

            @Override
            public void onClose(int code, String reason) {
                closed.get().complete(code);
            }

            @Override
            public void onFailure(Throwable error) {
                closed.get().complete(-1);
            }
        };
        CaptionWatcher watcher;
        try {
            watcher = CaptionWatcher.open(HttpClient.newHttpClient(), url, Duration.ofSeconds(10), listener)
                    .get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            int status = handshakeStatus(e);
            if (status == 401 || status == 400) {
                err.println("the watch link is invalid or has expired: ask the speaker for a new one (HTTP " + status
                        + ")");
                return 1;
            }
            err.println("cannot reach " + url.getHost() + ": " + (e.getCause() == null ? e : e.getCause()));
            return 3;
        }
        for (int attempt = 0; ; ) {
            int code;
            try {
                code = closed.get().get();
            } catch (java.util.concurrent.ExecutionException e) {
                code = -1;
            }
            if (code == 1000) {
                return 0;
            }
            if (code == 4001 || code == 1008) {
                err.println(code == 4001 ? "the watch link was revoked" : "closed by the server (" + code + ")");
                return 1;
            }
            if (++attempt > retries) {
                err.println("connection lost (" + code + "); giving up after " + retries + " reconnects");
                return 3;
            }
            err.println("connection lost (" + code + "); reconnecting after final " + watcher.lastFinalIndex());
            TimeUnit.SECONDS.sleep(Math.min(10, attempt));
            closed.set(new CompletableFuture<>());
            try {
                watcher.reconnect(null).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                closed.get().complete(-1);
            }
        }
    }

    /** The HTTP status of a refused WebSocket handshake in the cause chain, or -1. */
    static int handshakeStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.http.WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
        }
        return -1;
    }
}
