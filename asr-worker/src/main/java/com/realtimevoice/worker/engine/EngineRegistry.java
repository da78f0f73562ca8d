package com.realtimevoice.worker.engine;

import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.cloud.CloudCalls;
import com.realtimevoice.worker.segment.SegmentProperties;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Finds the engine a session asked for; sessions that ask for none get the configured default. Streaming engines
 * ({@link SpeechEngine}, Vosk) are fed audio as it comes; segment engines ({@link SegmentEngine}, Tencent) get
 * whole segments through their {@link CloudCalls} (executor, rate limit, retries, breaker), one per engine.
 */
@Component
public class EngineRegistry implements DisposableBean {

    private final Map<String, SpeechEngine> engines;
    private final Map<String, CloudCalls> segmentEngines;
    private final String defaultEngine;

    public EngineRegistry(List<SpeechEngine> engines, WorkerProperties properties) {
        this(engines, List.of(), properties, null);
    }

    @Autowired
    public EngineRegistry(
            List<SpeechEngine> engines,
            List<SegmentEngine> segmentEngines,
            WorkerProperties properties,
            SegmentProperties segments) {
        this.engines = engines.stream().collect(Collectors.toUnmodifiableMap(SpeechEngine::name, Function.identity()));
        this.segmentEngines = segmentEngines.stream()
                .collect(Collectors.toUnmodifiableMap(SegmentEngine::name, e -> new CloudCalls(e, e.policy())));
        this.defaultEngine = properties.defaultEngine();
        // A default that names no engine would fail every session: refuse to start instead.
        if (!this.engines.containsKey(defaultEngine) && !this.segmentEngines.containsKey(defaultEngine)) {
            throw new IllegalStateException("asr.worker.default-engine (ASR_ENGINE) is '" + defaultEngine
                    + "' but the available engines are " + names());
        }
        if (this.segmentEngines.containsKey(defaultEngine)) {
            try {
                this.segmentEngines.get(defaultEngine).checkSession(null);
            } catch (EngineUnavailableException e) {
                throw new IllegalStateException(
                        "asr.worker.default-engine (ASR_ENGINE) is '" + defaultEngine + "' but " + e.getMessage(), e);
            }
        }
        if (segments != null && !this.segmentEngines.isEmpty()) {
            if (segments.hasPartials() && !this.engines.containsKey(segments.partials())) {
                throw new IllegalStateException(
                        "asr.worker.segments.partials (ASR_TWO_PASS_PARTIALS) is '" + segments.partials()
                                + "' but the streaming engines are " + this.engines.keySet() + " (or 'none')");
            }
            if (segments.fallback() == SegmentProperties.Fallback.LOCAL
                    && !this.engines.containsKey(segments.fallbackEngine())) {
                throw new IllegalStateException("asr.worker.segments.fallback-engine (ASR_CLOUD_FALLBACK_ENGINE) is '"
                        + segments.fallbackEngine() + "' but the streaming engines are " + this.engines.keySet());
            }
        }
    }

    /**
     * @param requested the {@code engine} field of the session, null or blank for the default
     * @throws EngineUnavailableException if no streaming engine has that name
     */
    public SpeechEngine get(String requested) {
        String name = resolve(requested);
        SpeechEngine engine = engines.get(name);
        if (engine == null) {
            throw new EngineUnavailableException("unknown engine '" + name + "', available: " + names());
        }
        return engine;
    }

    /** The segment engine of that name (default if blank), or null if it is a streaming engine or none. */
    public CloudCalls segmentEngine(String requested) {
        return segmentEngines.get(resolve(requested));
    }

    public String defaultEngine() {
        return defaultEngine;
    }

    private String resolve(String requested) {
        return requested == null || requested.isBlank() ? defaultEngine : requested;
    }

    private Set<String> names() {
        Set<String> all = new TreeSet<>(engines.keySet());
        all.addAll(segmentEngines.keySet());
        return all;
    }

    @Override
    public void destroy() {
        segmentEngines.values().forEach(CloudCalls::close);
    }
}
