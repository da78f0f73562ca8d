package com.realtimevoice.tools;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Development tokens from {@code POST /api/auth/dev-token} (the local profile only), and reading a JWT's claims. */
public final class DevTokens {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private DevTokens() {}

    /** The server answered, but gave no token; {@link #status} says why (404: not the local profile). */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static String fetch(HttpClient http, Endpoints endpoints, String userId, Duration timeout)
            throws IOException, InterruptedException, Refused {
        HttpRequest request = HttpRequest.newBuilder(endpoints.http("/api/auth/dev-token"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("userId", userId))))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            JsonNode token = JSON.readTree(r.body()).get("token");
            if (token != null && !token.asString().isBlank()) {
                return token.asString();
            }
        }
        if (r.statusCode() == 404) {
            throw new Refused(
                    404,
                    "this server issues no development tokens (POST " + endpoints.http("/api/auth/dev-token")
                            + " is 404: it does not run the local profile); pass a real token with --token");
        }
        throw new Refused(
                r.statusCode(),
                "POST /api/auth/dev-token answered " + r.statusCode() + ": " + abbreviate(r.body(), 200));
    }

    /** The claims of a JWT, unverified (for hints only: expiry, issuer, audience), or null if it is not a JWT. */
    public static JsonNode claims(String token) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return JSON.readTree(
                    new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    public static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }
}
