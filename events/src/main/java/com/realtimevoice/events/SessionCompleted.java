package com.realtimevoice.events;

/**
 * Every final of the session has been emitted (worker) or stored (result service).
 *
 * @param segments number of finals in the session
 * @param text     the whole transcript; null when a worker emits it, filled in by the result service
 */
public record SessionCompleted(String sessionId, int segments, String text, long completedAtMs)
        implements PipelineEvent {}
