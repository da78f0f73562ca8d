package com.realtimevoice.tools.doctor;

import com.realtimevoice.tools.DevTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand over a socket the doctor opened itself, so that it sees exactly what a proxy answers (status,
 * headers, an HTML or JSON body) and can use a socket whose TLS it has already examined.
 */
final class RawHttp {

    private RawHttp() {}

    /** A response: status line, headers by lower-case name (repeats joined with ", "), and the body read so far. */
    record Response(int status, String reason, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean isJson() {
            String type = header("content-type");
            return type != null && type.contains("json") || body.stripLeading().startsWith("{");
        }

        /** Who answered: the Server and Via headers, when a proxy names itself. */
        String via() {
            StringBuilder s = new StringBuilder();
            if (header("server") != null) {
                s.append("Server: ").append(header("server"));
            }
            if (header("via") != null) {
                s.append(s.length() > 0 ? ", " : "").append("Via: ").append(header("via"));
            }
            return s.toString();
        }
    }

    static void writeRequest(
            OutputStream out, String method, String path, String host, Map<String, String> headers, byte[] body)
            throws IOException {
        StringBuilder r = new StringBuilder();
        r.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        r.append("Host: ").append(host).append("\r\n");
        r.append("User-Agent: realtime-voice-doctor\r\n");
        headers.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            r.append("Content-Length: ").append(body.length).append("\r\n");
        }
        r.append("\r\n");
        out.write(r.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /** Reads the status line and headers; the body only if {@code readBody} (by length, chunks, or to the end). */
    static Response readResponse(InputStream in, boolean readBody) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("the connection closed before any HTTP response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + DevTokens.abbreviate(statusLine, 80));
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                headers.merge(name, value, (a, b) -> a + ", " + b);
            }
        }
        String body = "";
        if (readBody && status != 101 && status != 204 && status != 304) {
            body = readBody(in, headers);
        }
        return new Response(status, parts.length > 2 ? parts[2] : "", headers, body);
    }

    private static String readBody(InputStream in, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int limit = 64 * 1024;
        try {
            String te = headers.get("transfer-encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                while (body.size() < limit) {
                    String sizeLine = readLine(in);
                    if (sizeLine == null) {
                        break;
                    }
                    int semi = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    body.write(in.readNBytes(size));
                    readLine(in);
                }
            } else if (headers.containsKey("content-length")) {
                int length = (int) Math.min(
                        limit, Long.parseLong(headers.get("content-length").trim()));
                body.write(in.readNBytes(length));
            } else {
                byte[] buf = new byte[4096];
                for (int n; body.size() < limit && (n = in.read(buf)) > 0; ) {
                    body.write(buf, 0, n);
                }
            }
        } catch (SocketTimeoutException | NumberFormatException e) {
            // keep what arrived
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
            if (line.size() > 16 * 1024) {
                throw new IOException("an HTTP header line over 16 KB");
            }
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
