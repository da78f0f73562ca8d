package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import com.realtimevoice.local.LocalCluster;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ErrorCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import com.realtimevoice.worker.WorkerProperties;
import com.realtimevoice.worker.engine.RecognitionResult;
import com.realtimevoice.worker.engine.RecognitionStream;
import com.realtimevoice.worker.engine.SpeechEngine;
import com.realtimevoice.worker.engine.StreamSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * The direct-engine baseline: the streaming contract ({@code start}, binary PCM, {@code end}, {@code ping};
 * {@code started}, {@code partial}, {@code final}, {@code completed}, {@code ack}, {@code pong}) served by one
 * process that feeds the worker's own engines ({@code vosk}, {@code bench-echo}) on the socket's thread: no Kafka,
 * no database, no second hop. Whatever the pipeline adds on top of this is its cost. Accepts any token (it measures,
 * it does not protect) and serves {@code POST /api/auth/dev-token} like the local profile so the same client runs.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
@ComponentScan(basePackages = {"com.realtimevoice.worker.engine.vosk", "com.realtimevoice.worker.engine.bench"})
public class BaselineServer implements WebSocketConfigurer {

    static final String USAGE = """
            baseline [--port P] [--engine vosk|bench-echo]: serves the contract on ws://localhost:P/api/realtime-voice/stream
              with the engine in process (default port 8090, default engine vosk; sessions may ask for either)
            """;

    private final Map<String, SpeechEngine> engines;
    private final String defaultEngine;

    BaselineServer(List<SpeechEngine> engines, @Value("${baseline.engine:vosk}") String defaultEngine) {
        this.engines = engines.stream().collect(Collectors.toMap(SpeechEngine::name, Function.identity()));
        this.defaultEngine = defaultEngine;
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        if (a.has("help")) {
            System.out.print(USAGE);
            return;
        }
        start(a.integer("port", 8090), a.get("engine", "vosk"));
    }

    /** Starts the baseline on the port (0: any free one); the caller closes it. */
    public static ConfigurableApplicationContext start(int port, String engine) {
        return new SpringApplicationBuilder(BaselineServer.class)
                .properties("spring.config.name=baseline-server")
                .run(
                        "--server.port=" + port,
                        "--baseline.engine=" + engine,
                        "--asr.bench.enabled=true",
                        "--spring.autoconfigure.exclude=" + LocalCluster.NO_DATABASE,
                        "--spring.application.name=baseline",
                        "--server.tomcat.threads.max=400",
                        "--management.endpoints.web.exposure.include=health,prometheus");
    }

    /** What the Vosk model provider reads (static: the engines need it before this configuration exists). */
    @Bean
    static WorkerProperties workerProperties(
            @Value("${baseline.engine:vosk}") String defaultEngine,
            @Value("${ASR_VOSK_MODEL_PATH:}") String modelPath,
            @Value("${ASR_VOSK_CACHE_DIR:${user.home}/.cache/realtime-voice/models}") String cacheDir) {
        return new WorkerProperties(
                defaultEngine,
                1,
                Duration.ofMinutes(3),
                new WorkerProperties.Vosk(modelPath, Path.of(cacheDir)),
                new WorkerProperties.Topics(1, 1),
                new WorkerProperties.Engines(4, 1000));
    }

    @Bean
    static ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean c = new ServletServerContainerFactoryBean();
        c.setMaxBinaryMessageBufferSize(131_072); // as the ingest node
        c.setMaxTextMessageBufferSize(16_384);
        return c;
    }

    @Override
    public void registerWebSocketHandlers(
            org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry registry) {
        registry.addHandler(new Handler(), "/api/realtime-voice/stream").setAllowedOriginPatterns("*");
    }

    @RestController
    static class DevTokens {
        @PostMapping("/api/auth/dev-token")
        Map<String, Object> token() {
            return Map.of("token", "baseline", "userId", "bench", "expiresIn", 3600);
        }
    }

    /** One session per socket at a time, recognised on the socket's thread (as the worker does on its listener's). */
    final class Handler extends AbstractWebSocketHandler {

        private static final String STATE = "baseline.session";

        final class Session {
            final String id = UUID.randomUUID().toString();
            final RecognitionStream stream;
            int index;
            long seq = -1;
            long lastAckMs;
            String lastPartial = "";
            final List<String> texts = new ArrayList<>();

            Session(RecognitionStream stream) {
                this.stream = stream;
            }
        }

        @Override
        protected void handleTextMessage(WebSocketSession ws, TextMessage message) throws Exception {
            ClientMessage m = ProtocolCodec.parseClient(message.getPayload());
            Session s = (Session) ws.getAttributes().get(STATE);
            if (m instanceof ClientMessage.Ping) {
                send(ws, new ServerMessage.Pong());
            } else if (m instanceof ClientMessage.Start start) {
                if (s != null) {
                    error(ws, "a session is already running on this connection");
                    return;
                }
                String name = start.engine() == null ? "" : start.engine();
                SpeechEngine engine = engines.get(name.isBlank() ? defaultEngine : name);
                if (engine == null) {
                    send(
                            ws,
                            new ServerMessage.Error(
                                    ErrorCode.ENGINE_UNAVAILABLE,
                                    "unknown engine '" + name + "', available: " + engines.keySet()));
                    return;
                }
                s = new Session(engine.open(new StreamSpec(UUID.randomUUID().toString(), start.sampleRate(), null)));
                ws.getAttributes().put(STATE, s);
                send(ws, new ServerMessage.Started(s.id, "", "pcm", start.sampleRate(), true));
            } else if (m instanceof ClientMessage.End) {
                if (s == null) {
                    error(ws, "no session");
                    return;
                }
                emit(ws, s, s.stream.finish());
                s.stream.close();
                ws.getAttributes().remove(STATE);
                send(ws, new ServerMessage.Completed(s.id, String.join(" ", s.texts), s.texts.size()));
            } else {
                error(
                        ws,
                        m instanceof ClientMessage.Malformed bad
                                ? bad.reason()
                                : "not served by the baseline: " + m.getClass().getSimpleName());
            }
        }

        @Override
        protected void handleBinaryMessage(WebSocketSession ws, BinaryMessage message) throws Exception {
            Session s = (Session) ws.getAttributes().get(STATE);
            if (s == null) {
                error(ws, "audio before start");
                return;
            }
            byte[] pcm = new byte[message.getPayloadLength()];
            message.getPayload().get(pcm);
            emit(ws, s, s.stream.accept(pcm));
            s.seq++;
            long now = System.currentTimeMillis();
            if (now - s.lastAckMs >= 100) {
                s.lastAckMs = now;
                send(ws, new ServerMessage.Ack(s.id, s.seq));
            }
        }

        private void emit(WebSocketSession ws, Session s, List<RecognitionResult> results) throws Exception {
            for (RecognitionResult r : results) {
                if (r instanceof RecognitionResult.Final f) {
                    send(ws, new ServerMessage.Final(s.id, s.index++, f.text(), f.startMs(), f.endMs()));
                    s.texts.add(f.text());
                    s.lastPartial = "";
                } else if (!r.text().equals(s.lastPartial)) {
                    s.lastPartial = r.text();
                    send(ws, new ServerMessage.Partial(s.id, s.index, r.text()));
                }
            }
        }

        private void error(WebSocketSession ws, String message) throws Exception {
            send(ws, new ServerMessage.Error(ErrorCode.BAD_REQUEST, message));
        }

        private void send(WebSocketSession ws, ServerMessage message) throws Exception {
            ws.sendMessage(new TextMessage(ProtocolCodec.write(message)));
        }

        @Override
        public void afterConnectionClosed(WebSocketSession ws, CloseStatus status) {
            Session s = (Session) ws.getAttributes().remove(STATE);
            if (s != null) {
                s.stream.close();
            }
        }
    }
}
