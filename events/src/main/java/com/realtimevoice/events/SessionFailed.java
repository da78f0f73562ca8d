package com.realtimevoice.events;

/** The session cannot go on; {@code code} is one of the contract's error codes (e.g. ENGINE_UNAVAILABLE). */
public record SessionFailed(String sessionId, String code, String message, long failedAtMs) implements PipelineEvent {}
