package com.realtimevoice.result.transcript;

/** What {@link TranscriptStore#delete} did. */
public enum Deletion {
    /** The session and its segments are gone. */
    DELETED,
    /** No such session, or it belongs to someone else: the caller cannot tell which. */
    NOT_FOUND,
    /** The session is still recording: it is kept. */
    LIVE
}
