package com.realtimevoice.result;

import com.realtimevoice.auth.PlaceholderSecrets;
import com.realtimevoice.auth.TokenService;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ResultServiceProperties.class)
class ResultServiceConfiguration {

    /** Verifies the tokens that the ingest service's clients carry; TokenSettings rejects a short secret at start. */
    @Bean
    TokenService tokenService(ResultServiceProperties properties, Environment environment) {
        if (!environment.matchesProfiles("local")) { // the local profile's development secret is one
            try {
                PlaceholderSecrets.reject("AUTH_JWT_SECRET", properties.jwt().secret());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("result-service cannot start: " + e.getMessage(), e);
            }
        }
        return new TokenService(properties.jwt().toSettings());
    }
}
