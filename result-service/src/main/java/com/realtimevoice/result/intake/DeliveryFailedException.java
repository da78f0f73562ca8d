package com.realtimevoice.result.intake;

/** The reply topic did not take the result in time; retryable, the record's offset is not committed. */
public class DeliveryFailedException extends RuntimeException {

    DeliveryFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
