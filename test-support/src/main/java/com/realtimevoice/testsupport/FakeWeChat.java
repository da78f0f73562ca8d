package com.realtimevoice.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local stand-in for WeChat's {@code GET /sns/jscode2session} that behaves as documented: it checks appid,
 * secret and grant_type, a code works once (then 40163), and some codes answer the documented errors
 * (40029 invalid, 45011 quota, 40226 high-risk user, -1 busy). Answers are JSON labelled text/plain, as WeChat's are.
 * As {@code @RegisterExtension static final FakeWeChat WECHAT = FakeWeChat.start();} in a Spring test it points the
 * service at itself (WECHAT_API_BASE_URL, through {@link ContextProperties}) and stops when the class is done.
 */
public final class FakeWeChat implements AutoCloseable, AfterAllCallback, ContextProperties {

    public static final String APP_ID = "wx0123456789abcdef";
    public static final String SECRET = "fake-app-secret-0123456789";

    /** code -> openid of the user who "logged in" on the phone. */
    private final Map<String, String> codes = new ConcurrentHashMap<>();

    private final Set<String> used = ConcurrentHashMap.newKeySet();
    public final AtomicInteger requests = new AtomicInteger();
    public final Set<String> secretsSeen = ConcurrentHashMap.newKeySet();
    private final HttpServer server;

    public FakeWeChat() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/sns/jscode2session", this::code2Session);
        server.start();
    }

    /** Starts one, for static fields. */
    public static FakeWeChat start() {
        try {
            return new FakeWeChat();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public Map<String, String> springProperties() {
        return Map.of("WECHAT_API_BASE_URL", baseUrl().toString());
    }

    /** What wx.login() would return on the phone of the user with this openid. */
    public String loginCode(String openid) {
        String code = "code-" + java.util.UUID.randomUUID().toString().replace("-", "");
        codes.put(code, openid);
        return code;
    }

    private void code2Session(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        Map<String, String> q = new java.util.HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        secretsSeen.add(q.getOrDefault("secret", ""));
        String body;
        String code = q.getOrDefault("js_code", "");
        if (!"GET".equals(exchange.getRequestMethod())) {
            body = error(-1, "system error");
        } else if (!APP_ID.equals(q.get("appid"))) {
            body = error(40013, "invalid appid");
        } else if (!SECRET.equals(q.get("secret"))) {
            body = error(40125, "invalid appsecret");
        } else if (!"authorization_code".equals(q.get("grant_type"))) {
            body = error(40002, "invalid grant_type");
        } else if (code.equals("quota")) {
            body = error(45011, "api minute-quota reach limit  mustslower  retry next minute");
        } else if (code.equals("risky")) {
            body = error(40226, "invalid user, user is limited");
        } else if (code.equals("busy")) {
            body = error(-1, "system error");
        } else if (!codes.containsKey(code)) {
            body = error(40029, "invalid code");
        } else if (!used.add(code)) {
            body = error(40163, "code been used");
        } else {
            String openid = codes.get(code);
            body = "{\"session_key\":\"c2Vzc2lvbi1rZXktc2VjcmV0\",\"openid\":\"" + openid + "\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String error(int code, String message) {
        return "{\"errcode\":" + code + ",\"errmsg\":\"" + message + ", rid: 6566d7a1-1f2e3d4c\"}";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
