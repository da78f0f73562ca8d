package com.realtimevoice.ingest.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Unknown paths and framework-level errors answer JSON with a hint, never an HTML error page: mini-program
 * developers debugging a wrong path see what the right one is.
 */
@RestControllerAdvice
class ApiNotFoundAdvice {

    static final List<String> ENDPOINTS = List.of(
            "GET /api/realtime-voice/stream (WebSocket upgrade)",
            "POST /api/realtime-voice/recognize (multipart field 'audio')",
            "GET /api/sessions/{sessionId}",
            "POST /api/auth/wechat/login {\"code\"} (WeChat mini-program login)",
            "POST /api/auth/dev-token (local profile only)",
            "GET /health");

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> notFound(HttpServletRequest request) {
        String path = request.getRequestURI();
        Map<String, Object> body =
                ApiError.body(ApiError.NOT_FOUND, "no endpoint at " + request.getMethod() + " " + path);
        body.put("hint", hint(path));
        body.put("endpoints", ENDPOINTS);
        // JSON even to a browser's Accept: text/html (negotiation would fail and log a stack trace)
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> wrongMethod(
            HttpServletRequest request, HttpRequestMethodNotSupportedException e) {
        Map<String, Object> body = ApiError.body(
                ApiError.BAD_REQUEST,
                request.getMethod() + " is not supported on " + request.getRequestURI() + "; use "
                        + e.getSupportedHttpMethods());
        body.put("endpoints", ENDPOINTS);
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Map<String, Object>> tooLarge(MaxUploadSizeExceededException e) {
        // not e.getMessage(): it names the container's internal exception classes
        return ApiError.response(
                ApiError.TOO_LARGE,
                "upload exceeds the limit (INGEST_MAX_UPLOAD_SIZE"
                        + (e.getMaxUploadSize() > 0 ? ", " + e.getMaxUploadSize() + " bytes" : "") + ")");
    }

    @ExceptionHandler({MissingServletRequestPartException.class, HttpMediaTypeNotSupportedException.class})
    ResponseEntity<Map<String, Object>> badMultipart(Exception e) {
        return ApiError.response(
                ApiError.BAD_REQUEST,
                "expected multipart/form-data with the audio file in field 'audio' (" + e.getMessage() + ")");
    }

    /** A body that claims to be multipart and is not (no boundary, truncated parts): the client's mistake, not a 500. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Map<String, Object>> unparsableMultipart() {
        return ApiError.response(
                ApiError.BAD_REQUEST,
                "the multipart/form-data body cannot be parsed; send the audio file in field 'audio'");
    }

    /** The known endpoint whose path is closest to what was asked for. */
    static String hint(String path) {
        String best = "/api/realtime-voice/stream";
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : List.of(
                "/api/realtime-voice/stream",
                "/api/realtime-voice/recognize",
                "/api/sessions/{sessionId}",
                "/api/auth/wechat/login",
                "/api/auth/dev-token",
                "/health")) {
            int d = distance(path, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return "did you mean " + best + "? Streaming recognition is a WebSocket at /api/realtime-voice/stream";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
