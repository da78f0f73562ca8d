package com.realtimevoice.auth;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Public keys published at a JWKS URL, by key id. Refetched every 10 minutes, and at most once a minute when a
 * token names a key id not seen yet (key rotation), so a flood of forged key ids cannot hammer the issuer.
 */
final class JwksKeys {

    private static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration MIN_REFRESH = Duration.ofMinutes(1);

    private final URI url;
    private final Clock clock;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Map<String, Key> keys = Map.of();
    private volatile Instant fetchedAt = Instant.EPOCH;

    JwksKeys(URI url, Clock clock) {
        this.url = url;
        this.clock = clock;
    }

    Key key(String keyId) {
        Instant now = clock.instant();
        if (now.isAfter(fetchedAt.plus(MAX_AGE))
                || (!keys.containsKey(String.valueOf(keyId)) && now.isAfter(fetchedAt.plus(MIN_REFRESH)))) {
            refresh(now);
        }
        Key key = keyId == null && keys.size() == 1 ? keys.values().iterator().next() : keys.get(String.valueOf(keyId));
        if (key == null) {
            throw new io.jsonwebtoken.security.UnsupportedKeyException("no key with id '" + keyId + "' at " + url);
        }
        return key;
    }

    private synchronized void refresh(Instant now) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(url)
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
            }
            JwkSet set = Jwks.setParser().build().parse(response.body());
            Map<String, Key> fresh = new ConcurrentHashMap<>();
            for (Jwk<?> jwk : set.getKeys()) {
                fresh.put(String.valueOf(jwk.getId()), jwk.toKey());
            }
            keys = fresh;
        } catch (java.io.IOException | RuntimeException e) {
            // Keep the keys we had; a token signed with a new key fails until the issuer answers again.
            if (keys.isEmpty()) {
                throw new io.jsonwebtoken.security.UnsupportedKeyException(
                        "cannot fetch the JWKS at " + url + ": " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetchedAt = now;
        }
    }
}
