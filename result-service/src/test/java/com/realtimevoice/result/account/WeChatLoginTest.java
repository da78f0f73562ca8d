package com.realtimevoice.result.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.realtimevoice.auth.TokenService;
import com.realtimevoice.testsupport.FakeWeChat;
import com.realtimevoice.testsupport.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import tools.jackson.databind.json.JsonMapper;

/** WeChat login against a local fake of code2Session, with the real database behind it. */
@SpringBootTest(properties = {
        "spring.config.name=result-service",
        "spring.profiles.active=local",
        "spring.kafka.listener.auto-startup=false",
        "spring.kafka.admin.auto-create=false",
        "WECHAT_APP_ID=" + FakeWeChat.APP_ID,
        "WECHAT_APP_SECRET=" + FakeWeChat.SECRET})
@AutoConfigureMockMvc
@DirtiesContext
class WeChatLoginTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    static final FakeWeChat WECHAT = FakeWeChat.start();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        DB.register(registry);
        registry.add("WECHAT_API_BASE_URL", () -> WECHAT.baseUrl().toString());
    }

    @AfterAll
    static void stop() {
        WECHAT.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenService tokens;

    @Autowired
    JdbcClient jdbc;

    private MvcResult login(String code) throws Exception {
        return mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"" + code + "\"}")).andReturn();
    }

    @Test
    void aLoginCodeBecomesTheProductsOwnTokenForAStableInternalUser() throws Exception {
        MvcResult first = login(WECHAT.loginCode("oPENID-alice"));
        assertThat(first.getResponse().getStatus()).isEqualTo(200);
        String body = first.getResponse().getContentAsString();
        assertThat(body).doesNotContain("session_key").doesNotContain("c2Vzc2lvbi1rZXktc2VjcmV0").doesNotContain("oPENID-alice");
        var json = JsonMapper.builder().build().readTree(body);
        String userId = json.get("userId").asString();
        assertThat(userId).startsWith("wx-");
        assertThat(tokens.verify(json.get("token").asString()).userId()).isEqualTo(userId);
        assertThat(json.get("expiresIn").asLong()).isEqualTo(7200);

        MvcResult again = login(WECHAT.loginCode("oPENID-alice"));
        assertThat(JsonMapper.builder().build().readTree(again.getResponse().getContentAsString()).get("userId").asString())
                .as("the same WeChat user maps to the same internal user").isEqualTo(userId);
        MvcResult bob = login(WECHAT.loginCode("oPENID-bob"));
        assertThat(JsonMapper.builder().build().readTree(bob.getResponse().getContentAsString()).get("userId").asString())
                .isNotEqualTo(userId);
        assertThat(jdbc.sql("select count(*) from wechat_account").query(Integer.class).single()).isEqualTo(2);
        assertThat(WECHAT.secretsSeen).containsOnly(FakeWeChat.SECRET);
    }

    @Test
    void weChatErrorsMapToClearCodes() throws Exception {
        String code = WECHAT.loginCode("oPENID-carol");
        assertThat(login(code).getResponse().getStatus()).isEqualTo(200);
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"" + code + "\"}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("WECHAT_CODE_INVALID"))
                .andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString("40163")));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"never-issued\"}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("WECHAT_CODE_INVALID"));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"quota\"}"))
                .andExpect(status().isTooManyRequests()).andExpect(jsonPath("$.code").value("RATE_LIMITED"));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"risky\"}"))
                .andExpect(status().isForbidden()).andExpect(jsonPath("$.code").value("WECHAT_USER_BLOCKED"));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"busy\"}"))
                .andExpect(status().isServiceUnavailable()).andExpect(jsonPath("$.code").value("WECHAT_UNAVAILABLE"));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("BAD_REQUEST"));
        mvc.perform(post("/api/auth/wechat/login").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"a&secret=x\"}"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void anUnreachableWeChatIsUnavailableNotAnInternalError() {
        assertThat(WeChatClient.mapError(-1, "system error").code).isEqualTo("WECHAT_UNAVAILABLE");
        assertThat(WeChatClient.mapError(40013, "invalid appid").code).isEqualTo("WECHAT_ERROR");
    }
}
