package com.realtimevoice.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.ingest.auth.NodeSecret;
import com.realtimevoice.ingest.config.IngestProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Watch tokens: bound to their session, expiring, unforgeable, and no other kind of token passes as one. */
class WatchTokensTest {

    private static NodeSecret secret(String value) {
        return new NodeSecret(new IngestProperties(
                null,
                null,
                new IngestProperties.Auth("HS256", value, null, null, null, "i", "a", Duration.ZERO, Duration.ZERO),
                null,
                new IngestProperties.Reliability(null, Duration.ZERO, Duration.ZERO, Duration.ZERO),
                null,
                null,
                null,
                null,
                "x"));
    }

    private final WatchTokens tokens = new WatchTokens(secret("0123456789abcdef0123456789abcdef"));

    @Test
    void aGenuineTokenCarriesItsSessionOwnerAndEpochUntilItExpires() {
        long now = 1_800_000_000_000L;
        String token = tokens.issue(new WatchTokens.Claims("s-1", "owner", 3, now + 1000));
        assertThat(tokens.verify(token, now)).isEqualTo(new WatchTokens.Claims("s-1", "owner", 3, now + 1000));
        assertThat(tokens.verify(token, now + 1000)).as("expired").isNull();
    }

    @Test
    void forgedMalformedForeignAndOversizedTokensAreRefused() {
        long now = 1_800_000_000_000L;
        String token = tokens.issue(new WatchTokens.Claims("s-1", "owner", 0, now + 60_000));
        String payload = token.substring(0, token.indexOf('.'));
        String otherSession = tokens.issue(new WatchTokens.Claims("s-2", "owner", 0, now + 60_000));
        // the other session's signature on this session's claims
        assertThat(tokens.verify(payload + otherSession.substring(otherSession.indexOf('.')), now))
                .isNull();
        assertThat(tokens.verify(token.substring(0, token.length() - 2) + "AA", now))
                .isNull();
        for (String bad : new String[] {null, "", ".", "x.y", "%%%.%%%", "a".repeat(5000)}) {
            assertThat(tokens.verify(bad, now)).as(String.valueOf(bad)).isNull();
        }
        // signed under another deployment's secret
        WatchTokens elsewhere = new WatchTokens(secret("another-secret-another-secret-123"));
        assertThat(tokens.verify(elsewhere.issue(new WatchTokens.Claims("s-1", "owner", 0, now + 60_000)), now))
                .isNull();
        // signed with the shared key itself, as a resume token is: the watch key is derived, so it does not verify
        String resumeLike = payload + "."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(NodeSecret.hmac(
                                secret("0123456789abcdef0123456789abcdef").key(),
                                payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(tokens.verify(resumeLike, now)).isNull();
    }
}
