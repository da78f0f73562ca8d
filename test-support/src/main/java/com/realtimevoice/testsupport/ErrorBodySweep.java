package com.realtimevoice.testsupport;

import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Raw HTTP requests that go wrong in every way a server can be asked (unknown paths, wrong methods and content
 * types, malformed JSON, a request line or Host header Tomcat refuses, encoded characters it will not normalise,
 * HTTP/1.0 without Host, oversized headers), each written byte by byte on a socket so that no client library
 * repairs it. Every answer must be the contract's JSON error: never HTML, no stack trace, no internal class name.
 */
public final class ErrorBodySweep {

    /** One raw request and the status it should get (0: any 4xx). */
    public record Case(String name, String request, int expectedStatus) {}

    /** What came back. */
    public record Answer(int status, Map<String, String> headers, String body) {}

    private static final Pattern LEAKS = Pattern.compile(
            "(?i)<html|<!doctype|<body|whitelabel|apache tomcat|exception|\\bat (java|org|com)\\.|java\\.lang|org\\.springframework|org\\.apache|com\\.realtimevoice|\"timestamp\"|\"trace\"");

    private ErrorBodySweep() {}

    /** The cases every HTTP port of every service must answer with the contract JSON. */
    public static List<Case> common(String host) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("unknown path", get("/no/such/path", host), 404));
        cases.add(new Case(
                "unknown path, browser Accept",
                "GET /no/such/path HTTP/1.1\r\nHost: " + host
                        + "\r\nAccept: text/html,application/xhtml+xml\r\nConnection: close\r\n\r\n",
                404));
        cases.add(new Case("path parameter ;", get("/no;x/such", host), 404));
        cases.add(new Case("percent-encoded letters", get("/%61ctuator-no/%68ealth", host), 404));
        cases.add(new Case("encoded slash", get("/a%2Fb", host), 400));
        cases.add(new Case("encoded NUL", get("/a%00b", host), 400));
        cases.add(new Case("encoded dot segments above the root", get("/%2e%2e/%2e%2e/etc/passwd", host), 0));
        cases.add(new Case("malformed percent-encoding", get("/a%zzb", host), 400));
        cases.add(new Case("invalid character in the request target", get("/a{b}|c", host), 400));
        cases.add(
                new Case("bad Host header", "GET / HTTP/1.1\r\nHost: bad host name\r\nConnection: close\r\n\r\n", 400));
        cases.add(new Case("HTTP/1.1 without Host", "GET /no/such/path HTTP/1.1\r\nConnection: close\r\n\r\n", 400));
        cases.add(new Case("HTTP/1.0 without Host", "GET /no/such/path HTTP/1.0\r\n\r\n", 404));
        cases.add(new Case(
                "unknown method", "BREW /no/such/path HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 0));
        cases.add(new Case(
                "header section too large",
                "GET /no/such/path HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + "x".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n",
                400));
        return cases;
    }

    /** The cases a service's management port must answer with the contract JSON: the common ones and its probes'. */
    public static List<Case> management(String host) {
        List<Case> cases = common(host);
        cases.add(new Case("wrong method on a probe", post("/actuator/health", host, "application/json", "{}"), 405));
        return cases;
    }

    public static String get(String path, String host) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }

    public static String post(String path, String host, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
    }

    public static Answer send(String host, int port, String request) throws IOException {
        return send(javax.net.SocketFactory.getDefault(), host, port, request);
    }

    /** Over the sockets of {@code factory}: an SSLSocketFactory for https. */
    public static Answer send(javax.net.SocketFactory factory, String host, int port, String request)
            throws IOException {
        try (Socket socket = factory.createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(
                        StandardCharsets.UTF_8)); // bodies are UTF-8; request lines and headers are ASCII
                out.flush();
            } catch (java.net.SocketException refusedEarly) {
                // the server answered (e.g. 413) and closed before reading the whole body: read its answer
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    all.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException stop) {
                // what arrived is the answer (a server may reset after refusing a request)
            }
            return parse(all.toString(StandardCharsets.UTF_8));
        }
    }

    static Answer parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("no HTTP response: " + raw);
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        String body = raw.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, body);
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int eol = body.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** Sends every case; returns what is wrong with the answers (empty: all contract JSON with the right status). */
    public static List<String> problems(String host, int port, List<Case> cases) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Case c : cases) {
            Answer a = send(host, port, c.request());
            String problem = problem(c, a);
            if (problem != null) {
                problems.add(":" + port + " " + c.name() + ": " + problem + " -- got " + a.status() + " "
                        + a.headers().get("content-type") + " "
                        + a.body().substring(0, Math.min(300, a.body().length())));
            }
        }
        return problems;
    }

    public static String problem(Case c, Answer a) {
        if (c.expectedStatus() != 0 && a.status() != c.expectedStatus()) {
            return "status " + c.expectedStatus() + " expected";
        }
        if (a.status() < 400) {
            return "an error status expected";
        }
        return contractProblem(a);
    }

    /** Null when the answer is a contract error body; else what is wrong with it. */
    public static String contractProblem(Answer a) {
        String type = a.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/json")) {
            return "Content-Type application/json expected";
        }
        if (LEAKS.matcher(a.body()).find()) {
            return "HTML, a stack trace or an internal name in the body";
        }
        ServerMessage message;
        try {
            message = ProtocolCodec.parseServer(a.body());
        } catch (IllegalArgumentException e) {
            return String.valueOf(e.getMessage()).startsWith("not JSON")
                    ? "not JSON"
                    : "not {\"type\":\"error\",\"code\",\"message\"}";
        }
        // the protocol's error message; the codec reads a code or message that is not a string as null
        if (!(message instanceof ServerMessage.Error error)
                || error.code() == null
                || error.code().isEmpty()
                || error.message() == null) {
            return "not {\"type\":\"error\",\"code\",\"message\"}";
        }
        return null;
    }
}
