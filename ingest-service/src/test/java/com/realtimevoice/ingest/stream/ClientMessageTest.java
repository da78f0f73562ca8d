package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientMessageTest {

    @Test
    void startTakesTheContractDefaults() {
        ClientMessage.Start start = (ClientMessage.Start) ClientMessage.parse("{\"type\":\"start\"}");
        assertThat(start.format()).isEqualTo("pcm");
        assertThat(start.sampleRate()).isEqualTo(16000);
        assertThat(start.interimResults()).isTrue();
        assertThat(start.token()).isNull();
    }

    @Test
    void startReadsEveryField() {
        ClientMessage.Start start = (ClientMessage.Start) ClientMessage.parse(
                "{\"type\":\"start\",\"token\":\"t\",\"userId\":\"ignored\",\"format\":\"PCM\",\"sampleRate\":8000,"
                        + "\"language\":\"zh-CN\",\"engine\":\"vosk\",\"interimResults\":false}");
        assertThat(start).isEqualTo(new ClientMessage.Start("t", "pcm", 8000, "zh-CN", "vosk", false));
    }

    @Test
    void channelsFoldIntoTheFormat() {
        assertThat(((ClientMessage.Start) ClientMessage.parse("{\"type\":\"start\",\"channels\":2}")).format()).isEqualTo("pcm;channels=2");
        assertThat(((ClientMessage.Start) ClientMessage.parse("{\"type\":\"start\",\"format\":\"mp3\",\"channels\":1}")).format()).isEqualTo("mp3");
        assertThat(ClientMessage.parse("{\"type\":\"start\",\"channels\":\"two\"}")).isInstanceOf(ClientMessage.Malformed.class);
        assertThat(StreamFormat.unsupported("pcm;channels=2", 48000)).isNull();
        assertThat(StreamFormat.unsupported("mp3", 16000)).isNull();
        assertThat(StreamFormat.unsupported("pcm;channels=3", 16000)).contains("channels 3");
        assertThat(StreamFormat.unsupported("pcm;bits=24", 16000)).contains("channels");
        assertThat(StreamFormat.frameAlignment("pcm;channels=2")).isEqualTo(4);
        assertThat(StreamFormat.frameAlignment("mp3")).isEqualTo(1);
    }

    @Test
    void endStopPingAndResume() {
        assertThat(ClientMessage.parse("{\"type\":\"end\"}")).isInstanceOf(ClientMessage.End.class);
        assertThat(ClientMessage.parse("{\"type\":\"stop\"}")).isInstanceOf(ClientMessage.End.class);
        assertThat(ClientMessage.parse("{\"type\":\"ping\"}")).isInstanceOf(ClientMessage.Ping.class);
        assertThat(ClientMessage.parse("{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":3}"))
                .isEqualTo(new ClientMessage.Resume("s", "r", 3, null, null));
        assertThat(ClientMessage.parse("{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":-1,\"nextSeq\":17,\"token\":\"t\"}"))
                .isEqualTo(new ClientMessage.Resume("s", "r", -1, 17L, "t"));
        assertThat(ClientMessage.parse("{\"type\":\"resume\",\"sessionId\":\"s\"}")).isInstanceOf(ClientMessage.Malformed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "[]", "42", "null", "{\"no\":\"type\"}", "{\"type\":7}", "{\"type\":\"dance\"}",
            "{\"type\":\"start\",\"sampleRate\":\"16k\"}", "{\"type\":\"start\",\"interimResults\":\"yes\"}",
            "{\"type\":\"start\",\"token\":{}}", "{\"type\":\"start\",\"language\":\"<script>\"}"})
    void malformedInputBecomesAReasonNotAnException(String text) {
        ClientMessage parsed = ClientMessage.parse(text);
        assertThat(parsed).isInstanceOf(ClientMessage.Malformed.class);
        assertThat(((ClientMessage.Malformed) parsed).reason()).isNotBlank();
    }
}
