package com.realtimevoice.result.account;

import org.springframework.http.HttpStatus;

/** A login WeChat refused or could not serve, with the contract-style code and the HTTP status to answer. */
class WeChatLoginException extends Exception {

    final HttpStatus status;
    final String code;

    WeChatLoginException(HttpStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
