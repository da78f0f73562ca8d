package com.realtimevoice.result;

import com.realtimevoice.auth.TokenService;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ResultServiceProperties.class)
class ResultServiceConfiguration {

    /** Verifies the tokens that the ingest service's clients carry; TokenSettings rejects a short secret at start. */
    @Bean
    TokenService tokenService(ResultServiceProperties properties) {
        return new TokenService(properties.jwt().toSettings());
    }
}
