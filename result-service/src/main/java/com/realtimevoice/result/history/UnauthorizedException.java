package com.realtimevoice.result.history;

class UnauthorizedException extends RuntimeException {

    UnauthorizedException(String message) {
        super(message);
    }
}
