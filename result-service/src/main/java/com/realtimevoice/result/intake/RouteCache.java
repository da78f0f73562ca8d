package com.realtimevoice.result.intake;

import com.realtimevoice.result.transcript.Route;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routes of recently active sessions, least recently used evicted first. Only a cache: the database row is
 * the truth, so an evicted or restarted service reads the route back from there. Public (with its lookup) for the
 * load bench's JMH benchmark; the service's own code uses it from this package only.
 */
public class RouteCache {

    private final Map<String, Route> routes;

    public RouteCache(int maxSize) {
        this.routes = new LinkedHashMap<>(Math.min(maxSize, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Route> eldest) {
                return size() > maxSize;
            }
        };
    }

    public synchronized Route get(String sessionId) {
        return routes.get(sessionId);
    }

    public synchronized void put(String sessionId, Route route) {
        routes.put(sessionId, route);
    }

    synchronized void remove(String sessionId) {
        routes.remove(sessionId);
    }

    synchronized int size() {
        return routes.size();
    }
}
