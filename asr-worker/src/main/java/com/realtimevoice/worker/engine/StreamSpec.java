package com.realtimevoice.worker.engine;

/**
 * What an engine needs to know to open a stream.
 *
 * @param sampleRate of the 16-bit signed little-endian mono PCM that will be fed
 * @param language   as the client asked for it (may be null); engines with one fixed model may ignore it
 * @param hotwords   words recognition should favour (the start's {@code hotwords}); empty for none
 */
public record StreamSpec(String sessionId, int sampleRate, String language, java.util.List<String> hotwords) {

    public StreamSpec {
        hotwords = hotwords == null ? java.util.List.of() : java.util.List.copyOf(hotwords);
    }

    public StreamSpec(String sessionId, int sampleRate, String language) {
        this(sessionId, sampleRate, language, java.util.List.of());
    }
}
