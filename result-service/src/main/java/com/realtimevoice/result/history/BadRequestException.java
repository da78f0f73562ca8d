package com.realtimevoice.result.history;

/** A query parameter the API cannot serve; the message names the parameter and is shown to the client. */
class BadRequestException extends RuntimeException {

    BadRequestException(String message) {
        super(message);
    }
}
