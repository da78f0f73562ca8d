package com.realtimevoice.worker.engine;

/** A segment engine's call failed; {@link #kind()} says what the caller may do about it. */
public class CloudEngineException extends Exception {

    public enum Kind {
        /** Throttled, a 5xx, a timeout, the network: worth another try after a pause. */
        RETRYABLE,
        /** The credentials were refused: no retry helps; the operator must fix the configuration. */
        AUTH,
        /** The request itself was refused (audio it cannot recognise, too long, a bad parameter): no retry. */
        REJECTED,
        /** Not attempted: the circuit breaker is open or the executor is full. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String code;
    private final String requestId;

    public CloudEngineException(Kind kind, String code, String message, String requestId, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
        this.requestId = requestId;
    }

    public Kind kind() {
        return kind;
    }

    /** The engine's error code, e.g. {@code RequestLimitExceeded}; may be empty for network failures. */
    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }
}
