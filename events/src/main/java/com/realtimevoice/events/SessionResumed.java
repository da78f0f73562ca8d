package com.realtimevoice.events;

/**
 * A client reattached to a session, possibly on another ingest node. Travels in-band on the audio topic (then
 * forwarded on the transcripts topic), so the route moves in order with the audio: every result after it goes to
 * the new node, and result-service re-sends the stored finals the client missed (index > lastIndex).
 *
 * @param lastIndex index of the last final the client has, -1 for none
 * @param nextSeq   seq of the first chunk the client will (re-)send: chunks the worker already has below it
 *                  and re-sent duplicates are dropped by seq; null when the client tracks no acks, in which case
 *                  the new node's chunks continue after whatever the worker has
 */
public record SessionResumed(
        String sessionId,
        String userId,
        String nodeId,
        String replyTopic,
        int lastIndex,
        Long nextSeq,
        long resumedAtMs)
        implements PipelineEvent {}
