package com.realtimevoice.events;

/**
 * Speech began after silence (the worker's voice activity detector), for a session that asked for
 * {@code speechEvents}. Delivered like a partial: never stored.
 *
 * @param atMs where the speech starts in the session's audio
 */
public record SpeechStarted(String sessionId, long atMs, long emittedAtMs) implements PipelineEvent {}
