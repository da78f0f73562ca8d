package com.realtimevoice.ingest.watch;

import com.realtimevoice.ingest.config.IngestProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** The watch socket, beside the speaker's stream; browsers' Origins are checked as for the stream. */
@Configuration(proxyBeanMethods = false)
class WatchWebSocketConfig implements WebSocketConfigurer {

    private final WatchSocketHandler handler;
    private final IngestProperties properties;

    WatchWebSocketConfig(WatchSocketHandler handler, IngestProperties properties) {
        this.handler = handler;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, WatchSocketHandler.WATCH_PATH)
                .addInterceptors(handler)
                .setAllowedOriginPatterns(properties.limits().allowedOrigins().toArray(String[]::new));
    }
}
