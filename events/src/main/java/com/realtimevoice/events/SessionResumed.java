package com.realtimevoice.events;

/**
 * A client reattached to a session, possibly on another ingest node. Travels in-band on the audio topic, so the
 * worker renumbers and de-duplicates the session's audio in order with it. The worker forwards it on the transcripts
 * topic as soon as it reads it, ahead of results of the session's audio still being recognised (the client is on the
 * new node already): every result after it there goes to the new node, and result-service re-sends the stored finals
 * the client missed (index > lastIndex).
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
