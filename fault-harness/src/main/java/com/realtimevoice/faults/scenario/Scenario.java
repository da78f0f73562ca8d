package com.realtimevoice.faults.scenario;

import java.time.Duration;

/**
 * One fault, injected {@code injectAfter} into a fleet's sessions. The fault's action injects it, marks the moment
 * and the sessions it hits ({@link FaultContext#injected}), and undoes it (restart, resume) before it returns;
 * the sessions carry on meanwhile.
 */
public record Scenario(String name, String fault, Duration injectAfter, Action action) {

    @FunctionalInterface
    public interface Action {
        void inject(FaultContext context) throws Exception;
    }
}
