package com.realtimevoice.result.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.result.LocalWithoutKafka;
import com.realtimevoice.testsupport.FakeWeChat;
import com.realtimevoice.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/** WeChat login against a local fake of code2Session, with the real database behind it. */
@LocalWithoutKafka
@SpringBootTest(properties = {"WECHAT_APP_ID=" + FakeWeChat.APP_ID, "WECHAT_APP_SECRET=" + FakeWeChat.SECRET})
@AutoConfigureMockMvc
@DirtiesContext
class WeChatLoginTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @RegisterExtension
    static final FakeWeChat WECHAT = FakeWeChat.start();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenService tokens;

    @Autowired
    JdbcClient jdbc;

    private MvcResult login(String code) throws Exception {
        return mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"" + code + "\"}"))
                .andReturn();
    }

    @Test
    void aLoginCodeBecomesTheProductsOwnTokenForAStableInternalUser() throws Exception {
        MvcResult first = login(WECHAT.loginCode("oPENID-alice"));
        assertThat(first.getResponse().getStatus()).isEqualTo(200);
        String body = first.getResponse().getContentAsString();
        assertThat(body)
                .doesNotContain("session_key")
                .doesNotContain("c2Vzc2lvbi1rZXktc2VjcmV0")
                .doesNotContain("oPENID-alice");
        var json = JsonMapper.builder().build().readTree(body);
        String userId = json.get("userId").asString();
        assertThat(userId).startsWith("wx-");
        assertThat(tokens.verify(json.get("token").asString()).userId()).isEqualTo(userId);
        assertThat(json.get("expiresIn").asLong()).isEqualTo(7200);

        MvcResult again = login(WECHAT.loginCode("oPENID-alice"));
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(again.getResponse().getContentAsString())
                        .get("userId")
                        .asString())
                .as("the same WeChat user maps to the same internal user")
                .isEqualTo(userId);
        MvcResult bob = login(WECHAT.loginCode("oPENID-bob"));
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(bob.getResponse().getContentAsString())
                        .get("userId")
                        .asString())
                .isNotEqualTo(userId);
        assertThat(jdbc.sql("select count(*) from wechat_account")
                        .query(Integer.class)
                        .single())
                .isEqualTo(2);
        assertThat(WECHAT.secretsSeen).containsOnly(FakeWeChat.SECRET);
    }

    @Test
    void weChatErrorsMapToClearCodes() throws Exception {
        String code = WECHAT.loginCode("oPENID-carol");
        assertThat(login(code).getResponse().getStatus()).isEqualTo(200);
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"" + code + "\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("WECHAT_CODE_INVALID"))
                .andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString("40163")));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"never-issued\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("WECHAT_CODE_INVALID"));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"quota\"}"))
                .andExpect(status().isTooManyRequests())
                .andExpect(jsonPath("$.code").value("RATE_LIMITED"));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"risky\"}"))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.code").value("WECHAT_USER_BLOCKED"));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"busy\"}"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.code").value("WECHAT_UNAVAILABLE"));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("BAD_REQUEST"));
        mvc.perform(post("/api/auth/wechat/login")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"code\":\"a&secret=x\"}"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void anUnreachableWeChatIsUnavailableNotAnInternalError() {
        assertThat(WeChatClient.mapError(-1, "system error").code).isEqualTo("WECHAT_UNAVAILABLE");
        assertThat(WeChatClient.mapError(40013, "invalid appid").code).isEqualTo("WECHAT_ERROR");
    }

    /**
     * Property test of the login body: seeded random and boundary bodies (any JSON type for {@code code}, lengths past
     * the limit, odd characters, extra fields, nesting, broken JSON, non-JSON bytes). Every answer is a 4xx with the
     * contract's JSON error, never a 5xx, and nothing is logged with a stack trace. Replay with -Dfuzz.seed=N.
     */
    @Test
    void randomAndBoundaryLoginBodiesGetContractErrorsWithoutStackTraces() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        java.util.Random r = new java.util.Random(seed);
        java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> traces =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var capture = new ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
                if (event.getThrowableProxy() != null) {
                    traces.add(event);
                }
            }
        };
        capture.start();
        root.addAppender(capture);
        var json = JsonMapper.builder().build();
        try {
            for (int i = 0; i < 300; i++) {
                String body = loginBody(r);
                MvcResult result = mvc.perform(post("/api/auth/wechat/login")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(body))
                        .andReturn();
                int status = result.getResponse().getStatus();
                String answer = result.getResponse().getContentAsString();
                String what = "seed " + seed + " body " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
                assertThat(status).as(what + " -> " + answer).isBetween(400, 499);
                var error = json.readTree(answer);
                assertThat(error.get("type").asString()).as(what).isEqualTo("error");
                assertThat(error.get("code").asString())
                        .as(what)
                        .isIn("BAD_REQUEST", "WECHAT_CODE_INVALID", "TOO_LARGE");
                assertThat(answer).as(what).doesNotContain("Exception").doesNotContain("com.realtimevoice");
            }
        } finally {
            root.detachAppender(capture);
        }
        assertThat(traces)
                .as("log events with a stack trace, seed " + seed)
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .isEmpty();
    }

    private static String loginBody(java.util.Random r) {
        String[] codes = {
            "null",
            "true",
            "1",
            "-1",
            "1e400",
            "99999999999999999999999999",
            "[]",
            "[\"abc\"]",
            "{}",
            "{\"code\":\"x\"}",
            "\"\"",
            "\" \"",
            "\"a b\"",
            "\"" + "a".repeat(128) + "\"",
            "\"" + "a".repeat(129) + "\"",
            "\"" + "b".repeat(r.nextInt(5000)) + "\"",
            "\"\\u0000\"",
            "\"代码\"",
            "\"😀\"",
            "\"a\\\"b\"",
            "\"../../etc\"",
            "\"%00\"",
            "\"" + randomAscii(r) + "\""
        };
        return switch (r.nextInt(6)) {
            case 0 -> "{\"code\":" + codes[r.nextInt(codes.length)] + "}";
            case 1 ->
                "{\"code\":" + codes[r.nextInt(codes.length)] + ",\"extra\":" + codes[r.nextInt(codes.length)] + "}";
            case 2 -> "[".repeat(r.nextInt(2000)) + "]".repeat(r.nextInt(2000));
            case 3 -> "{\"code\":\"" + randomAscii(r); // cut short
            case 4 -> new String(randomBytes(r), java.nio.charset.StandardCharsets.ISO_8859_1);
            default -> codes[r.nextInt(codes.length)];
        };
    }

    private static String randomAscii(java.util.Random r) {
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(40); i > 0; i--) {
            char c = (char) (0x20 + r.nextInt(0x5f));
            s.append(c == '"' || c == '\\' ? 'q' : c);
        }
        return s.toString();
    }

    private static byte[] randomBytes(java.util.Random r) {
        byte[] bytes = new byte[r.nextInt(300)];
        r.nextBytes(bytes);
        return bytes;
    }
}
