package com.realtimevoice.worker.engine;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import com.realtimevoice.worker.WorkerProperties;

/** Finds the engine a session asked for; sessions that ask for none get the configured default. */
@Component
public class EngineRegistry {

    private final Map<String, SpeechEngine> engines;
    private final String defaultEngine;

    public EngineRegistry(List<SpeechEngine> engines, WorkerProperties properties) {
        this.engines = engines.stream()
                .collect(Collectors.toUnmodifiableMap(SpeechEngine::name, Function.identity()));
        this.defaultEngine = properties.defaultEngine();
        // A default that names no engine would fail every session: refuse to start instead.
        if (!this.engines.containsKey(defaultEngine)) {
            throw new IllegalStateException("asr.worker.default-engine (ASR_ENGINE) is '" + defaultEngine
                    + "' but the available engines are " + this.engines.keySet());
        }
    }

    /**
     * @param requested the {@code engine} field of the session, null or blank for the default
     * @throws EngineUnavailableException if no engine has that name
     */
    public SpeechEngine get(String requested) {
        String name = requested == null || requested.isBlank() ? defaultEngine : requested;
        SpeechEngine engine = engines.get(name);
        if (engine == null) {
            throw new EngineUnavailableException("unknown engine '" + name + "', available: " + engines.keySet());
        }
        return engine;
    }

    public String defaultEngine() {
        return defaultEngine;
    }
}
