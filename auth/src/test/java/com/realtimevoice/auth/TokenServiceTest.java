package com.realtimevoice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    private static final TokenSettings SETTINGS = new TokenSettings(
            "0123456789abcdef0123456789abcdef", "realtime-voice", "realtime-voice-clients", Duration.ofSeconds(5));

    private final TokenService tokens = new TokenService(SETTINGS);

    @Test
    void issuedTokenVerifiesToItsSubject() throws Exception {
        String token = tokens.issue("alice", Duration.ofMinutes(5));
        assertThat(tokens.verify(token).userId()).isEqualTo("alice");
    }

    @Test
    void aSubjectLongerThanTheUserIdColumnIsRejected() throws Exception {
        assertThat(tokens.verify(tokens.issue("u".repeat(128), Duration.ofMinutes(5)))
                        .userId())
                .hasSize(128);
        String token = tokens.issue("u".repeat(129), Duration.ofMinutes(5));
        assertThatThrownBy(() -> tokens.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("128");
    }

    @Test
    void expiredTokenIsRejected() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String token = new TokenService(SETTINGS, past).issue("alice", Duration.ofMinutes(5));
        assertThatThrownBy(() -> tokens.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void tokenSignedWithAnotherSecretIsRejected() {
        TokenService other = new TokenService(new TokenSettings(
                "another-secret-another-secret-0000", "realtime-voice", "realtime-voice-clients", Duration.ZERO));
        String token = other.issue("alice", Duration.ofMinutes(5));
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void wrongAudienceIsRejected() {
        TokenService other =
                new TokenService(new TokenSettings(SETTINGS.secret(), "realtime-voice", "someone-else", Duration.ZERO));
        String token = other.issue("alice", Duration.ofMinutes(5));
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void unsignedAlgNoneTokenIsRejected() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        String header = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String body = b64.encodeToString(
                ("{\"sub\":\"mallory\",\"iss\":\"realtime-voice\",\"aud\":\"realtime-voice-clients\",\"exp\":" + exp
                                + "}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> tokens.verify(header + "." + body + ".")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void tamperedPayloadIsRejected() throws Exception {
        String[] parts = tokens.issue("alice", Duration.ofMinutes(5)).split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String forged =
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("alice", "mallo");
        String token = parts[0] + "." + b64.encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void shortSecretFailsAtConstructionWithAClearMessage() {
        assertThatThrownBy(() -> new TokenSettings("short", "i", "a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AUTH_JWT_SECRET");
    }
}
