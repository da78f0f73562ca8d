package com.realtimevoice.ingest.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The JSON error body every HTTP endpoint answers with: the same shape as the WebSocket {@code error} message. */
public final class ApiError {

    public static final String BAD_REQUEST = "BAD_REQUEST";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT";
    public static final String TOO_LARGE = "TOO_LARGE";
    public static final String TIMEOUT = "TIMEOUT";
    public static final String ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE";
    public static final String OVERLOADED = "OVERLOADED";
    public static final String INTERNAL = "INTERNAL";

    private ApiError() {}

    public static Map<String, Object> body(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("code", code);
        body.put("message", message);
        return body;
    }

    public static ResponseEntity<Map<String, Object>> response(String code, String message) {
        return ResponseEntity.status(status(code))
                .contentType(MediaType.APPLICATION_JSON)
                .body(body(code, message));
    }

    static HttpStatus status(String code) {
        return switch (code) {
            case BAD_REQUEST -> HttpStatus.BAD_REQUEST;
            case UNAUTHORIZED -> HttpStatus.UNAUTHORIZED;
            case NOT_FOUND, "SESSION_NOT_FOUND" -> HttpStatus.NOT_FOUND;
            case UNSUPPORTED_FORMAT -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case TIMEOUT -> HttpStatus.GATEWAY_TIMEOUT;
            case ENGINE_UNAVAILABLE, OVERLOADED -> HttpStatus.SERVICE_UNAVAILABLE;
            case "RATE_LIMITED" -> HttpStatus.TOO_MANY_REQUESTS;
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
