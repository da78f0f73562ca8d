package com.realtimevoice.events;

/** Unstable text of segment {@code index}; a later partial replaces an earlier one. */
public record TranscriptPartial(String sessionId, int index, String text, long emittedAtMs) implements PipelineEvent {}
