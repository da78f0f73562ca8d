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

    WebSocketConfig(
            StreamWebSocketHandler handler,
            IngestProperties properties,
            org.springframework.core.env.Environment environment) {
        this.handler = handler;
        this.properties = properties;
        if (properties.limits().allowedOrigins().contains("*") && !environment.matchesProfiles("local")) {
            // Tokens still guard every socket, but any web page may then open one with a token it holds
            // (docs/security.md).
            org.slf4j.LoggerFactory.getLogger(WebSocketConfig.class)
                    .warn(
                            "INGEST_ALLOWED_ORIGINS is '*': browser pages "
                                    + "of any site may open sockets; set it to your web origins, e.g. INGEST_ALLOWED_ORIGINS=https://app.example.com "
                                    + "(comma-separated; requests without an Origin header, such as mini-programs, are unaffected)");
        }
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
     * Small per-socket buffers: Tomcat allocates them for every open socket, busy or idle, so they decide how many
     * idle sockets a node holds. Larger messages arrive in parts and are joined, up to the contract's limits, by
     * the handler (MessageAssembler), which answers TOO_LARGE past them.
     */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer(IngestProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(properties.sockets().binaryBufferBytes());
        container.setMaxTextMessageBufferSize(properties.sockets().textBufferChars());
        return container;
    }

    /** Tomcat's own read and write buffer of each socket (8 KB each by default). */
    @Bean
    org.springframework.boot.tomcat.TomcatConnectorCustomizer socketBuffers(IngestProperties properties) {
        String size = Integer.toString(properties.sockets().ioBufferBytes());
        return connector -> {
            connector.setProperty("socket.appReadBufSize", size);
            connector.setProperty("socket.appWriteBufSize", size);
        };
    }
}
