package com.realtimevoice.worker.engine;

/**
 * What an engine needs to know to open a stream.
 *
 * @param sampleRate of the 16-bit signed little-endian mono PCM that will be fed
 * @param language   as the client asked for it (may be null); engines with one fixed model may ignore it
 */
public record StreamSpec(String sessionId, int sampleRate, String language) {
}
