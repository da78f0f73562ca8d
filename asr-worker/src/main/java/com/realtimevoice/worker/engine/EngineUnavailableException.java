package com.realtimevoice.worker.engine;

/** The engine cannot serve a session; the session fails with code ENGINE_UNAVAILABLE. */
public class EngineUnavailableException extends RuntimeException {

    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
