package com.realtimevoice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** RS256/ES256 with a configured public key or a JWKS URL, and the attacks a pinned algorithm must stop. */
class AsymmetricTokenTest {

    private static final String ISS = "realtime-voice";
    private static final String AUD = "realtime-voice-clients";

    static KeyPair keyPair(String family) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(family);
        g.initialize(family.equals("RSA") ? 2048 : 256);
        return g.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
                + "-----\n";
    }

    static TokenSettings settings(String alg, KeyPair pair, boolean canIssue) {
        return new TokenSettings(
                alg,
                null,
                pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                canIssue ? pem("PRIVATE KEY", pair.getPrivate().getEncoded()) : null,
                null,
                ISS,
                AUD,
                Duration.ofSeconds(5));
    }

    /** alice's claims for this issuer and audience, expiring in 5 minutes: a token its signature alone decides. */
    private static JwtBuilder alice() {
        return Jwts.builder()
                .subject("alice")
                .issuer(ISS)
                .audience()
                .add(AUD)
                .and()
                .expiration(Date.from(Instant.now().plusSeconds(300)));
    }

    @Test
    void rs256AndEs256TokensVerifyWithTheConfiguredPublicKey() throws Exception {
        for (String[] alg : new String[][] {{"RS256", "RSA"}, {"ES256", "EC"}}) {
            KeyPair pair = keyPair(alg[1]);
            TokenService service = new TokenService(settings(alg[0], pair, true));
            assertThat(service.verify(service.issue("alice", Duration.ofMinutes(5)))
                            .userId())
                    .isEqualTo("alice");
            TokenService verifierOnly = new TokenService(settings(alg[0], pair, false));
            assertThat(verifierOnly
                            .verify(service.issue("bob", Duration.ofMinutes(5)))
                            .userId())
                    .isEqualTo("bob");
            assertThatThrownBy(() -> verifierOnly.issue("x", Duration.ofMinutes(1)))
                    .hasMessageContaining("AUTH_JWT_PRIVATE_KEY");
        }
    }

    @Test
    void keyConfusionWithThePublicKeyAsAnHmacSecretIsRejected() throws Exception {
        KeyPair pair = keyPair("RSA");
        TokenService service = new TokenService(settings("RS256", pair, false));
        byte[] publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded()).getBytes(StandardCharsets.UTF_8);
        String forged = Jwts.builder()
                .subject("mallory")
                .issuer(ISS)
                .audience()
                .add(AUD)
                .and()
                .expiration(Date.from(Instant.now().plusSeconds(300)))
                .signWith(io.jsonwebtoken.security.Keys.hmacShaKeyFor(publicPem), Jwts.SIG.HS256)
                .compact();
        assertThatThrownBy(() -> service.verify(forged))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("HS256");
    }

    @Test
    void anotherAlgorithmOfTheSameFamilyIsRejected() throws Exception {
        KeyPair pair = keyPair("RSA");
        TokenService service = new TokenService(settings("RS256", pair, false));
        String rs384 = alice().signWith(pair.getPrivate(), Jwts.SIG.RS384).compact();
        assertThatThrownBy(() -> service.verify(rs384))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("RS384");
    }

    @Test
    void unsignedTokensAreRejected() throws Exception {
        TokenService service = new TokenService(settings("ES256", keyPair("EC"), false));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"m\",\"iss\":\"" + ISS + "\",\"aud\":\"" + AUD + "\",\"exp\":"
                                + (Instant.now().getEpochSecond() + 300) + "}")
                        .getBytes(StandardCharsets.UTF_8))
                + ".";
        assertThatThrownBy(() -> service.verify(none)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void notYetValidAndExpiredBeyondTheLeewayAreRejectedWithinItAccepted() throws Exception {
        KeyPair pair = keyPair("EC");
        TokenService now = new TokenService(settings("ES256", pair, true));
        Clock future = Clock.fixed(Instant.now().plusSeconds(60), ZoneOffset.UTC);
        String notYet = new TokenService(settings("ES256", pair, true), future).issue("alice", Duration.ofMinutes(5));
        assertThatThrownBy(() -> now.verify(notYet)).isInstanceOf(InvalidTokenException.class);
        Clock justPast = Clock.fixed(Instant.now().minusSeconds(62), ZoneOffset.UTC);
        String justExpired =
                new TokenService(settings("ES256", pair, true), justPast).issue("alice", Duration.ofMinutes(1));
        assertThat(now.verify(justExpired).userId())
                .as("2 s past expiry, 5 s leeway")
                .isEqualTo("alice");
    }

    @Test
    void keysComeFromAJwksUrlByKeyIdAndUnknownIdsAreRejected() throws Exception {
        KeyPair pair = keyPair("RSA");
        String jwks = "{\"keys\":["
                + Jwks.json(Jwks.builder()
                        .key((java.security.interfaces.RSAPublicKey) pair.getPublic())
                        .idFromThumbprint()
                        .build())
                + "]}";
        String kid = Jwks.builder()
                .key((java.security.interfaces.RSAPublicKey) pair.getPublic())
                .idFromThumbprint()
                .build()
                .getId();
        AtomicInteger fetches = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
            TokenService service =
                    new TokenService(new TokenSettings("RS256", null, null, null, url, ISS, AUD, Duration.ZERO));
            String token = alice().header()
                    .keyId(kid)
                    .and()
                    .signWith(pair.getPrivate(), Jwts.SIG.RS256)
                    .compact();
            assertThat(service.verify(token).userId()).isEqualTo("alice");
            assertThat(service.verify(token).userId()).isEqualTo("alice");
            assertThat(fetches.get()).as("keys are cached").isEqualTo(1);
            String unknown = alice().header()
                    .keyId("rotated-away")
                    .and()
                    .signWith(pair.getPrivate(), Jwts.SIG.RS256)
                    .compact();
            assertThatThrownBy(() -> service.verify(unknown))
                    .isInstanceOf(InvalidTokenException.class)
                    .hasMessageContaining("rotated-away");
            assertThat(fetches.get())
                    .as("an unknown key id does not refetch more than once a minute")
                    .isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badConfigurationFailsWithTheSettingsName() {
        assertThatThrownBy(() -> new TokenSettings("RS256", null, null, null, null, ISS, AUD, Duration.ZERO))
                .hasMessageContaining("AUTH_JWT_PUBLIC_KEY");
        assertThatThrownBy(() -> new TokenSettings("HS512", "x".repeat(40), null, null, null, ISS, AUD, Duration.ZERO))
                .hasMessageContaining("AUTH_JWT_ALGORITHM");
        assertThatThrownBy(() -> new TokenService(
                        new TokenSettings("RS256", null, "not a pem", null, null, ISS, AUD, Duration.ZERO)))
                .hasMessageContaining("AUTH_JWT_PUBLIC_KEY");
    }
}
