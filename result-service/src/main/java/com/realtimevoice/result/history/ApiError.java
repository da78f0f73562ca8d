package com.realtimevoice.result.history;

/** The contract's error shape: {@code {"type":"error","code":...,"message":...}}. */
record ApiError(String type, String code, String message) {

    static ApiError of(String code, String message) {
        return new ApiError("error", code, message);
    }
}
