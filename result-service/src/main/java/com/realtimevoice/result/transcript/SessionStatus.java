package com.realtimevoice.result.transcript;

/** Where a session is in its life. COMPLETED and FAILED are final. */
public enum SessionStatus {
    STARTED,
    COMPLETED,
    FAILED
}
