package com.realtimevoice.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointsTest {

    @Test
    void aBaseUrlGivesTheStandardPaths() throws Exception {
        Endpoints e = Endpoints.parse("https://voice.example.com/");
        assertThat(e.stream()).hasToString("wss://voice.example.com/api/realtime-voice/stream");
        assertThat(e.http("/health")).hasToString("https://voice.example.com/health");
        assertThat(e.port()).isEqualTo(443);
    }

    @Test
    void aPathPrefixIsKept() throws Exception {
        Endpoints e = Endpoints.parse("http://localhost:8080/voice");
        assertThat(e.stream()).hasToString("ws://localhost:8080/voice/api/realtime-voice/stream");
        assertThat(e.http("/health")).hasToString("http://localhost:8080/voice/health");
    }

    @Test
    void aStreamUrlIsUsedAsGivenEvenWhenWrong() throws Exception {
        Endpoints e = Endpoints.parse("ws://host:9000/api/realtime-voice/streem");
        assertThat(e.streamPath()).isEqualTo("/api/realtime-voice/streem");
        assertThat(e.base()).isEqualTo("http://host:9000");
        assertThat(Endpoints.parse("localhost:8080").stream())
                .hasToString("ws://localhost:8080/api/realtime-voice/stream");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> Endpoints.parse("ftp://x")).hasMessageContaining("scheme");
    }
}
