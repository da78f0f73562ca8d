package com.realtimevoice.tools;

import com.realtimevoice.client.cli.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code sessions}, {@code export ID} and {@code delete ID}: the caller's own transcript history over the HTTP API
 * ({@code /api/sessions}, owner only), as a terminal user wants it: a table, a subtitle file, a deletion.
 */
final class History {

    static final int OK = 0;
    static final int USAGE = 2;
    static final int AUTH = 3;
    static final int CONNECTION = 4;
    static final int SERVER_ERROR = 5;
    static final int NOT_FOUND = 7;

    static final String USAGE_TEXT = """
            usage: sessions [--limit N] [--before CURSOR] [--all]
                   export SESSION_ID [--format srt|vtt|txt|json] [--out FILE]
                   delete SESSION_ID
              sessions: your sessions, newest first, one line each: ID  STARTED  DURATION  STATUS  PREVIEW
                        (--limit 1-100, default 20; the next page's cursor is printed on stderr; --all follows every page)
              export:   the transcript as SubRip, WebVTT, plain text or JSON (default srt), to stdout or --out FILE
              delete:   removes the session and its transcript from the server (a live session is refused)
            options (all three):
              --url URL        server base URL (default $RV_URL or http://localhost:8080)
              --token TOKEN    JWT for the Authorization header (default $RV_TOKEN)
              --user ID        fetch a development token for ID instead (local profile only)
            exit codes: 0 ok, 2 usage, 3 authentication failed, 4 connection failed, 5 server error, 7 no such session
            """;

    private static final Set<String> FORMATS = Set.of("srt", "vtt", "txt", "json");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    History(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs one of the three commands; {@code argv} is what follows the command's name. */
    int run(String command, String[] argv) {
        Args args;
        Endpoints endpoints;
        try {
            args = Args.parse(
                    argv,
                    Set.of("url", "token", "user", "limit", "before", "format", "out"),
                    Set.of("all", "help", "h"));
            if (args.flag("help") || args.flag("h")) {
                out.print(USAGE_TEXT);
                return OK;
            }
            int ids = command.equals("sessions") ? 0 : 1;
            if (args.positional().size() != ids) {
                throw new Args.UsageException(
                        ids == 0 ? "sessions takes no arguments" : command + " needs one SESSION_ID");
            }
            endpoints = Endpoints.parse(
                    args.get("url", Args.env("RV_URL") == null ? "http://localhost:8080" : Args.env("RV_URL")));
        } catch (Args.UsageException e) {
            err.println(command + ": " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        try {
            String token = Credentials.token(args, http, endpoints);
            return switch (command) {
                case "sessions" -> list(endpoints, token, args);
                case "export" -> export(endpoints, token, args);
                default -> delete(endpoints, token, args.positional().get(0));
            };
        } catch (Args.UsageException e) {
            err.println(command + ": " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        } catch (Credentials.Failed e) {
            err.println(command + ": " + e.getMessage());
            return e.exitCode;
        } catch (IOException e) {
            err.println(command + ": cannot reach " + endpoints.base() + ": " + Credentials.describe(e));
            return CONNECTION;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONNECTION;
        }
    }

    private int list(Endpoints endpoints, String token, Args args)
            throws Args.UsageException, IOException, InterruptedException {
        double limit = args.number("limit", 20);
        if (limit < 1 || limit > 100 || limit != Math.rint(limit)) {
            throw new Args.UsageException("--limit must be a whole number from 1 to 100");
        }
        String cursor = args.get("before", null);
        do {
            String query = "?limit=" + (int) limit
                    + (cursor == null ? "" : "&before=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<String> r = send(endpoints, token, "GET", "/api/sessions" + query);
            if (r.statusCode() != 200) {
                return failure(r, null);
            }
            JsonNode page = DevTokens.JSON.readTree(r.body());
            for (JsonNode s : page.path("sessions")) {
                out.println(String.join(
                        "  ",
                        s.path("sessionId").asString(),
                        s.path("startedAt").asString(""),
                        duration(s.path("durationMs")),
                        s.path("status").asString(""),
                        oneLine(s.path("preview").asString(""))));
            }
            JsonNode next = page.get("next");
            cursor = next == null || next.isNull() ? null : next.asString();
            if (cursor != null && !args.flag("all")) {
                err.println("next page: --before " + cursor);
            }
        } while (cursor != null && args.flag("all"));
        return OK;
    }

    private int export(Endpoints endpoints, String token, Args args)
            throws Args.UsageException, IOException, InterruptedException {
        String format = args.get("format", "srt").toLowerCase();
        if (!FORMATS.contains(format)) {
            throw new Args.UsageException("--format must be srt, vtt, txt or json, got '" + format + "'");
        }
        String id = args.positional().get(0);
        HttpResponse<String> r = send(endpoints, token, "GET", "/api/sessions/" + path(id) + "?format=" + format);
        if (r.statusCode() != 200) {
            return failure(r, id);
        }
        String target = args.get("out", null);
        if (target == null) {
            out.print(r.body());
            out.flush();
        } else {
            Files.writeString(Path.of(target), r.body(), StandardCharsets.UTF_8);
            err.println("wrote " + target + " (" + format + ", " + r.body().length() + " characters)");
        }
        return OK;
    }

    private int delete(Endpoints endpoints, String token, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = send(endpoints, token, "DELETE", "/api/sessions/" + path(id));
        if (r.statusCode() == 204) {
            err.println("deleted " + id);
            return OK;
        }
        return failure(r, id);
    }

    private HttpResponse<String> send(Endpoints endpoints, String token, String method, String pathAndQuery)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoints.http(pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The server's answer in one line: the contract's error body when there is one. */
    private int failure(HttpResponse<String> r, String id) {
        String detail = r.body();
        try {
            JsonNode body = DevTokens.JSON.readTree(r.body());
            if (body.has("code")) {
                detail = body.path("code").asString() + ": "
                        + body.path("message").asString("");
            }
        } catch (RuntimeException notJson) {
            detail = oneLine(detail.length() > 200 ? detail.substring(0, 200) + "..." : detail);
        }
        err.println("server answered HTTP " + r.statusCode() + " " + detail);
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            return AUTH;
        }
        if (r.statusCode() == 404 && id != null) {
            err.println("no session " + id + " of yours on this server (deleted, never existed, or another user's)");
            return NOT_FOUND;
        }
        return r.statusCode() >= 500 ? SERVER_ERROR : r.statusCode() == 404 ? CONNECTION : SERVER_ERROR;
    }

    private static String path(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String duration(JsonNode ms) {
        if (ms == null || ms.isNull() || ms.isMissingNode()) {
            return "-";
        }
        long s = ms.asLong() / 1000;
        return s / 60 + ":" + String.format("%02d", s % 60);
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ");
    }
}
