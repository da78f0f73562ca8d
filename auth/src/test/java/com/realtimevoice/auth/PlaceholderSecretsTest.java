package com.realtimevoice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PlaceholderSecretsTest {

    @Test
    void theShippedPlaceholdersAreRejectedWhateverTheirLength() {
        for (String shipped : new String[] {
            "change-me-to-32-or-more-random-bytes-000000",
            "compose-demo-secret-change-me-0123456789",
            "replace-with-openssl-rand-base64-48",
            "local-dev-secret-change-me-0123456789abcdef",
            "CHANGE_ME",
            "placeholder",
            "your-secret-here-0123456789abcdef0123456789",
            "example-secret-0123456789abcdef0123456789"
        }) {
            assertThatThrownBy(() -> PlaceholderSecrets.reject("AUTH_JWT_SECRET", shipped))
                    .as(shipped)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("AUTH_JWT_SECRET")
                    .hasMessageNotContaining("-0123456789"); // names the variable and the marker, never the whole value
        }
    }

    @Test
    void randomSecretsPass() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[48];
            random.nextBytes(key);
            String secret = i % 2 == 0
                    ? Base64.getEncoder().encodeToString(key)
                    : Base64.getUrlEncoder().encodeToString(key);
            assertThat(PlaceholderSecrets.markerIn(secret)).as(secret).isNull();
        }
        assertThat(PlaceholderSecrets.markerIn("fault-harness-jwt-secret-0123456789abcdef0123456789"))
                .isNull();
        assertThat(PlaceholderSecrets.markerIn(null)).isNull();
    }
}
