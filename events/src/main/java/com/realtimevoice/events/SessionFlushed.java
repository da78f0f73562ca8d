package com.realtimevoice.events;

/**
 * The client asked for the audio received so far to be finalised now ({@code flush}). Travels on the audio topic,
 * in order with the session's chunks, so the worker cuts the segment exactly after the audio sent before it; a replay
 * cuts it at the same place.
 *
 * @param lastSeq seq of the last chunk the client sent before the flush, -1 if none
 */
public record SessionFlushed(String sessionId, long lastSeq, long flushedAtMs) implements PipelineEvent {}
