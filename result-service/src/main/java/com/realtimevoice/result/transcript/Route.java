package com.realtimevoice.result.transcript;

/**
 * Where a session's results go: the ingest node that holds its socket and that node's own delivery topic.
 * Learned from the in-band SessionStarted, never from a side channel.
 */
public record Route(String nodeId, String replyTopic) {}
