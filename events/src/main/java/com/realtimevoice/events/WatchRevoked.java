package com.realtimevoice.events;

/**
 * The session's owner revoked its watch tokens ({@code DELETE /api/sessions/{id}/watchers}): sent by result-service
 * to every node registered as watching the session, which closes the watchers whose token is older than
 * {@code epoch}.
 */
public record WatchRevoked(String sessionId, int epoch, long revokedAtMs) implements PipelineEvent {}
