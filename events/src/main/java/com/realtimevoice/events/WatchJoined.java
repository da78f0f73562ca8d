package com.realtimevoice.events;

/**
 * Live captions: an ingest node now holds watchers of this session (its first local watcher joined). Published by
 * that node on the transcripts topic, keyed by the session, so result-service reads it in order with the session's
 * results: every final before it is stored already and goes to the node in {@link WatchSynced}; every result after
 * it is delivered to the node as well as to the speaker's. One registration per node, whatever its watcher count.
 */
public record WatchJoined(String sessionId, String nodeId, String replyTopic, long joinedAtMs)
        implements PipelineEvent {}
