package com.realtimevoice.result.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every error is the contract's JSON, never an HTML page, so clients can read the code. The content type is
 * set explicitly so that even a browser's {@code Accept: text/html} gets JSON.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    static final String HINT = "transcript history is served at GET /api/sessions and GET /api/sessions/{sessionId}";

    @ExceptionHandler
    ResponseEntity<ApiError> unauthorized(UnauthorizedException e) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .contentType(MediaType.APPLICATION_JSON)
                .body(ApiError.of("UNAUTHORIZED", e.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ApiError> sessionNotFound(SessionNotFoundException e) {
        return json(HttpStatus.NOT_FOUND, ApiError.of("SESSION_NOT_FOUND", e.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ApiError> badRequest(BadRequestException e) {
        return json(HttpStatus.BAD_REQUEST, ApiError.of("BAD_REQUEST", e.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ApiError> sessionLive(SessionLiveException e) {
        return json(HttpStatus.CONFLICT, ApiError.of("SESSION_LIVE", e.getMessage()));
    }

    /** An unknown path: Spring MVC falls through to the static resource handler, which throws this. */
    @ExceptionHandler
    ResponseEntity<ApiError> noSuchPath(NoResourceFoundException e) {
        return json(
                HttpStatus.NOT_FOUND, ApiError.of("NOT_FOUND", "no such path /" + e.getResourcePath() + "; " + HINT));
    }

    /**
     * A body that is not JSON, or JSON of the wrong shape (e.g. a login {@code {"code":[1]}}): the client's mistake,
     * answered 400 without a stack trace in the log. The parser's message is left out: it names internal classes.
     */
    @ExceptionHandler
    ResponseEntity<ApiError> unreadableBody(HttpMessageNotReadableException e) {
        return json(
                HttpStatus.BAD_REQUEST,
                ApiError.of(
                        "BAD_REQUEST",
                        "the request body must be a JSON object, e.g. {\"code\":\"...\"} for POST /api/auth/wechat/login"));
    }

    /** Spring MVC's own request errors (wrong method, bad path variable, ...) keep their status. */
    @ExceptionHandler
    ResponseEntity<ApiError> other(Exception e) {
        if (e instanceof ErrorResponse response && response.getStatusCode().is4xxClientError()) {
            HttpStatusCode status = response.getStatusCode();
            String code = status.value() == 400
                    ? "BAD_REQUEST"
                    : status.value() == 413
                            ? "TOO_LARGE"
                            : status instanceof HttpStatus known ? known.name() : "BAD_REQUEST";
            // the problem detail is written for clients; the exception's message may name internal types
            String detail =
                    response.getBody().getDetail() != null ? response.getBody().getDetail() : status.toString();
            return json(status, ApiError.of(code, detail + "; " + HINT));
        }
        log.error("request failed", e);
        return json(HttpStatus.INTERNAL_SERVER_ERROR, ApiError.of("INTERNAL", "internal error"));
    }

    private static ResponseEntity<ApiError> json(HttpStatusCode status, ApiError body) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }
}
