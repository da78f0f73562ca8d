package com.realtimevoice.weberrors;

import java.nio.charset.StandardCharsets;

/**
 * The contract's error body, {@code {"type":"error","code","message"}}, for an HTTP status that reached no handler
 * of the service's own. Messages are fixed texts and the request's method and path: never an exception's message,
 * which may carry internal class names.
 */
public final class ContractErrors {

    private ContractErrors() {}

    /** The contract code for a status (docs/protocol.md): the client's codes where they fit, else BAD_REQUEST / INTERNAL. */
    public static String code(int status) {
        return switch (status) {
            case 401 -> "UNAUTHORIZED";
            case 404 -> "NOT_FOUND";
            case 413 -> "TOO_LARGE";
            case 429 -> "RATE_LIMITED";
            case 503 -> "OVERLOADED";
            case 504 -> "TIMEOUT";
            default -> status < 500 ? "BAD_REQUEST" : "INTERNAL";
        };
    }

    static String message(int status, String method, String path) {
        String what = switch (status) {
            case 400 -> "malformed request";
            case 401 -> "a valid token is required";
            case 403 -> "forbidden";
            case 404 -> "no endpoint";
            case 405 -> "method not allowed";
            case 406 -> "only application/json responses are available";
            case 408 -> "request timed out";
            case 413 -> "request too large";
            case 414 -> "request URI too long";
            case 415 -> "unsupported content type";
            case 431 -> "request headers too large";
            case 501 -> "not implemented";
            case 505 -> "HTTP version not supported";
            default -> status < 500 ? "bad request" : "internal error";
        };
        if (method == null || path == null || path.isEmpty()) {
            return what;
        }
        // The path as received, shortened: it is echoed into JSON, never into HTML.
        String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return what + " at " + method + " " + shown;
    }

    public static String json(int status, String method, String path) {
        return "{\"type\":\"error\",\"code\":\"" + code(status) + "\",\"message\":\""
                + escape(message(status, method, path)) + "\"}";
    }

    public static byte[] bytes(int status, String method, String path) {
        return json(status, method, path).getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '<' -> out.append("\\u003c"); // harmless even if a client renders it
                case '>' -> out.append("\\u003e");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
