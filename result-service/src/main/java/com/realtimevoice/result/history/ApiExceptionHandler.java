package com.realtimevoice.result.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
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

    static final String HINT = "transcript history is served at GET /api/sessions/{sessionId}";

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

    /** An unknown path: Spring MVC falls through to the static resource handler, which throws this. */
    @ExceptionHandler
    ResponseEntity<ApiError> noSuchPath(NoResourceFoundException e) {
        return json(HttpStatus.NOT_FOUND, ApiError.of("NOT_FOUND", "no such path /" + e.getResourcePath() + "; " + HINT));
    }

    /** Spring MVC's own request errors (wrong method, bad path variable, ...) keep their status. */
    @ExceptionHandler
    ResponseEntity<ApiError> other(Exception e) {
        if (e instanceof ErrorResponse response && response.getStatusCode().is4xxClientError()) {
            HttpStatusCode status = response.getStatusCode();
            String code = status.value() == 400 ? "BAD_REQUEST"
                    : status instanceof HttpStatus known ? known.name() : "BAD_REQUEST";
            return json(status, ApiError.of(code, e.getMessage() + "; " + HINT));
        }
        log.error("request failed", e);
        return json(HttpStatus.INTERNAL_SERVER_ERROR, ApiError.of("INTERNAL", "internal error"));
    }

    private static ResponseEntity<ApiError> json(HttpStatusCode status, ApiError body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
