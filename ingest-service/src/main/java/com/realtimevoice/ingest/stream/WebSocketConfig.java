package com.realtimevoice.ingest.stream;

import com.realtimevoice.ingest.config.IngestProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfig implements WebSocketConfigurer {

    static final String STREAM_PATH = "/api/realtime-voice/stream";

    private final StreamWebSocketHandler handler;
    private final IngestProperties properties;

    WebSocketConfig(StreamWebSocketHandler handler, IngestProperties properties) {
        this.handler = handler;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // Browsers send an Origin, checked against INGEST_ALLOWED_ORIGINS (403 otherwise). Mini-programs and native
        // clients send none and are let through: the token, not the origin, guards the socket.
        registry.addHandler(handler, STREAM_PATH)
                .addInterceptors(new TokenHandshakeInterceptor())
                .setAllowedOriginPatterns(properties.limits().allowedOrigins().toArray(String[]::new));
    }

    /**
     * The container's buffers are twice the handler's limits, so that a frame just over the limit reaches
     * the handler and gets the contract's TOO_LARGE error rather than a bare close from Tomcat.
     */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer(IngestProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(properties.limits().maxFrameBytes() * 2);
        container.setMaxTextMessageBufferSize(properties.limits().maxTextBytes() * 2);
        return container;
    }
}
