package com.realtimevoice.ingest.config;

import com.realtimevoice.auth.PlaceholderSecrets;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.auth.TokenSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class IngestConfig {

    @Bean
    IngestNode ingestNode(IngestProperties properties) {
        return IngestNode.of(properties.nodeId());
    }

    @Bean
    TokenService tokenService(IngestProperties properties, Environment environment) {
        IngestProperties.Auth auth = properties.auth();
        try {
            if (!environment.matchesProfiles("local")) { // the local profile's development secret is one
                PlaceholderSecrets.reject("AUTH_JWT_SECRET", auth.jwtSecret());
            }
            return new TokenService(new TokenSettings(
                    auth.jwtAlgorithm(),
                    auth.jwtSecret(),
                    auth.jwtPublicKey(),
                    auth.jwtPrivateKey(),
                    auth.jwtJwksUrl(),
                    auth.jwtIssuer(),
                    auth.jwtAudience(),
                    auth.leeway()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "ingest-service cannot start: " + e.getMessage()
                            + " (the 'local' profile sets a development secret; production must set AUTH_JWT_SECRET)",
                    e);
        }
    }
}
