package com.realtimevoice.result.transcript;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;

/** A final's identity: the session and the segment's position in its audio. */
@Embeddable
class SegmentKey implements Serializable {

    @Column(name = "session_id", length = 64)
    private String sessionId;

    @Column(name = "seg_index")
    private int index;

    protected SegmentKey() {}

    SegmentKey(String sessionId, int index) {
        this.sessionId = sessionId;
        this.index = index;
    }

    String getSessionId() {
        return sessionId;
    }

    int getIndex() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentKey other && index == other.index && Objects.equals(sessionId, other.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, index);
    }
}
