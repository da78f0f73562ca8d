package com.realtimevoice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the server reads client frames: the old service's leniency, and every breach of the limits named. */
class ClientMessageParsingTest {

    @Test
    void startTakesTheContractDefaults() {
        ClientMessage.Start start = (ClientMessage.Start) ProtocolCodec.parseClient("{\"type\":\"start\"}");
        assertThat(start.format()).isEqualTo("pcm");
        assertThat(start.sampleRate()).isEqualTo(16000);
        assertThat(start.interimResults()).isTrue();
        assertThat(start.token()).isNull();
        assertThat(start.wordTimestamps()).isFalse();
    }

    @Test
    void wordTimestampsIsABooleanNamedWhenItIsNot() {
        assertThat(((ClientMessage.Start) ProtocolCodec.parseClient("{\"type\":\"start\",\"wordTimestamps\":true}"))
                        .wordTimestamps())
                .isTrue();
        assertThat(((ClientMessage.Start) ProtocolCodec.parseClient("{\"type\":\"start\",\"wordTimestamps\":null}"))
                        .wordTimestamps())
                .isFalse();
        assertThat(reason("{\"type\":\"start\",\"wordTimestamps\":\"yes\"}")).contains("`wordTimestamps`");
        assertThat(reason("{\"type\":\"start\",\"wordTimestamps\":1}")).contains("`wordTimestamps`");
    }

    @Test
    void hotwordsAndOutputControlsAreReadAndTheirLimitsNamed() {
        ClientMessage.Start start = (ClientMessage.Start)
                ProtocolCodec.parseClient("{\"type\":\"start\",\"hotwords\":[\" Stella \",\"Dashwood\"],"
                        + "\"punctuation\":false,\"numbers\":\"DIGITS\",\"profanity\":\"mask\"}");
        assertThat(start.options())
                .isEqualTo(new RecognitionOptions(java.util.List.of("Stella", "Dashwood"), false, "digits", "mask"));
        assertThat(((ClientMessage.Start) ProtocolCodec.parseClient("{\"type\":\"start\"}")).options())
                .isEqualTo(RecognitionOptions.NONE);
        assertThat(((ClientMessage.Start)
                                ProtocolCodec.parseClient("{\"type\":\"start\",\"hotwords\":null,\"numbers\":null}"))
                        .options())
                .isEqualTo(RecognitionOptions.NONE);
        String hundred = "\"w\",".repeat(100);
        assertThat(ProtocolCodec.parseClient(
                        "{\"type\":\"start\",\"hotwords\":[" + hundred.substring(0, hundred.length() - 1) + "]}"))
                .isInstanceOf(ClientMessage.Start.class);
        assertThat(reason("{\"type\":\"start\",\"hotwords\":[" + hundred + "\"w\"]}"))
                .contains("`hotwords`")
                .contains("at most 100");
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"hotwords\":[\"" + "a".repeat(32) + "\"]}"))
                .isInstanceOf(ClientMessage.Start.class);
        assertThat(reason("{\"type\":\"start\",\"hotwords\":[\"" + "a".repeat(33) + "\"]}"))
                .contains("`hotwords`")
                .contains("32 characters");
        assertThat(reason("{\"type\":\"start\",\"hotwords\":[\" \"]}")).contains("`hotwords`");
        assertThat(reason("{\"type\":\"start\",\"hotwords\":[1]}")).contains("`hotwords`");
        assertThat(reason("{\"type\":\"start\",\"hotwords\":\"Stella\"}")).contains("`hotwords`");
        assertThat(reason("{\"type\":\"start\",\"punctuation\":\"no\"}")).contains("`punctuation`");
        assertThat(reason("{\"type\":\"start\",\"numbers\":\"roman\"}")).contains("`numbers`");
        assertThat(reason("{\"type\":\"start\",\"profanity\":true}")).contains("`profanity`");
    }

    @Test
    void startReadsEveryField() {
        ClientMessage.Start start = (ClientMessage.Start) ProtocolCodec.parseClient(
                "{\"type\":\"start\",\"token\":\"t\",\"userId\":\"ignored\",\"format\":\"PCM\",\"sampleRate\":8000,"
                        + "\"language\":\"zh-CN\",\"engine\":\"vosk\",\"interimResults\":false}");
        assertThat(start).isEqualTo(new ClientMessage.Start("t", "pcm", 8000, "zh-CN", "vosk", false));
    }

    /** Issue 22's streaming controls: endpointingMs 100-5000 (800.0 from a float-only client too), speechEvents a boolean. */
    @Test
    void streamingControls() {
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"endpointingMs\":800,\"speechEvents\":true}"))
                .isEqualTo(new ClientMessage.Start(
                        null, "pcm", 16000, null, null, true, false, 800, true, RecognitionOptions.NONE));
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"endpointingMs\":100.0,\"speechEvents\":null}"))
                .isEqualTo(new ClientMessage.Start(
                        null, "pcm", 16000, null, null, true, false, 100, false, RecognitionOptions.NONE));
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"endpointingMs\":5000,\"speechEvents\":false}"))
                .isEqualTo(new ClientMessage.Start(
                        null, "pcm", 16000, null, null, true, false, 5000, false, RecognitionOptions.NONE));
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"endpointingMs\":null}"))
                .isEqualTo(new ClientMessage.Start(null, "pcm", 16000, null, null, true));
        for (String bad :
                new String[] {"99", "5001", "0", "-800", "800.5", "\"800\"", "1e300", "99999999999999999999"}) {
            assertThat(reason("{\"type\":\"start\",\"endpointingMs\":" + bad + "}"))
                    .as(bad)
                    .contains("`endpointingMs`");
        }
        assertThat(reason("{\"type\":\"start\",\"endpointingMs\":99}")).contains("from 100 to 5000");
        assertThat(reason("{\"type\":\"start\",\"speechEvents\":\"yes\"}")).contains("`speechEvents`");
        assertThat(ProtocolCodec.parseClient("{\"type\":\"flush\"}")).isInstanceOf(ClientMessage.Flush.class);
    }

    @Test
    void channelsFoldIntoTheFormat() {
        assertThat(((ClientMessage.Start) ProtocolCodec.parseClient("{\"type\":\"start\",\"channels\":2}")).format())
                .isEqualTo("pcm;channels=2");
        assertThat(((ClientMessage.Start)
                                ProtocolCodec.parseClient("{\"type\":\"start\",\"format\":\"mp3\",\"channels\":1}"))
                        .format())
                .isEqualTo("mp3");
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"channels\":\"two\"}"))
                .isInstanceOf(ClientMessage.Malformed.class);
    }

    @Test
    void endStopPingAndResume() {
        assertThat(ProtocolCodec.parseClient("{\"type\":\"end\"}")).isInstanceOf(ClientMessage.End.class);
        assertThat(ProtocolCodec.parseClient("{\"type\":\"stop\"}")).isInstanceOf(ClientMessage.End.class);
        assertThat(ProtocolCodec.parseClient("{\"type\":\"ping\"}")).isInstanceOf(ClientMessage.Ping.class);
        assertThat(ProtocolCodec.parseClient(
                        "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":3}"))
                .isEqualTo(new ClientMessage.Resume("s", "r", 3, null, null));
        assertThat(
                        ProtocolCodec.parseClient(
                                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":-1,\"nextSeq\":17,\"token\":\"t\"}"))
                .isEqualTo(new ClientMessage.Resume("s", "r", -1, 17L, "t"));
        assertThat(ProtocolCodec.parseClient("{\"type\":\"resume\",\"sessionId\":\"s\"}"))
                .isInstanceOf(ClientMessage.Malformed.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not json",
                "{",
                "[]",
                "42",
                "null",
                "{\"no\":\"type\"}",
                "{\"type\":7}",
                "{\"type\":\"dance\"}",
                "{\"type\":\"start\",\"sampleRate\":\"16k\"}",
                "{\"type\":\"start\",\"interimResults\":\"yes\"}",
                "{\"type\":\"start\",\"token\":{}}",
                "{\"type\":\"start\",\"language\":\"<script>\"}"
            })
    void malformedInputBecomesAReasonNotAnException(String text) {
        ClientMessage parsed = ProtocolCodec.parseClient(text);
        assertThat(parsed).isInstanceOf(ClientMessage.Malformed.class);
        assertThat(((ClientMessage.Malformed) parsed).reason()).isNotBlank();
    }

    /** The old service's clients send "userId": 1; any JSON scalar is taken (and ignored: the token is the user). */
    @ParameterizedTest
    @ValueSource(
            strings = {"1", "0", "-7", "1.5", "12345678901234567890123", "\"alice\"", "\"\"", "true", "false", "null"})
    void userIdIsAnyJsonScalar(String userId) {
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"userId\":" + userId + ",\"token\":\"t\"}"))
                .isEqualTo(new ClientMessage.Start("t", "pcm", 16000, null, null, true));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "[1]",
                "\"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu\""
            })
    void userIdThatIsNotAScalarOrTooLongIsRefusedByName(String userId) {
        assertThat(reason("{\"type\":\"start\",\"userId\":" + userId + "}")).contains("`userId`");
    }

    /** Defect 4: integers beyond int/long range answered INTERNAL (an exception) instead of BAD_REQUEST. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"type\":\"start\",\"sampleRate\":99999999999999999999999999}|sampleRate",
                "{\"type\":\"start\",\"sampleRate\":2147483648}|sampleRate",
                "{\"type\":\"start\",\"sampleRate\":-16000}|sampleRate",
                "{\"type\":\"start\",\"channels\":9223372036854775808}|channels",
                "{\"type\":\"start\",\"channels\":0}|channels",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":99999999999999999999}|lastIndex",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":2147483648}|lastIndex",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"lastIndex\":-2}|lastIndex",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"nextSeq\":18446744073709551616}|nextSeq",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"nextSeq\":9007199254740992}|nextSeq",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"nextSeq\":-1}|nextSeq",
                "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"r\",\"nextSeq\":1.5}|nextSeq"
            })
    void integersOutOfRangeAreRefusedByName(String caseAndField) {
        String[] c = caseAndField.split("\\|");
        assertThat(reason(c[0])).contains("`" + c[1] + "`");
    }

    /** transcript_session.format is VARCHAR(16): a longer format must never reach Kafka and the database. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"type\":\"start\",\"format\":\"pcm;channels=1;;;;;;;;;\"}",
                "{\"type\":\"start\",\"format\":\"pcm;channels=2\",\"channels\":2}",
                "{\"type\":\"start\",\"format\":\"\"}",
                "{\"type\":\"start\",\"format\":\"pcm\\u0000\"}"
            })
    void aFormatThatDoesNotFitItsColumnIsRefusedByName(String text) {
        assertThat(reason(text)).contains("`format`");
    }

    @Test
    void textsLongerThanTheirColumnsAreRefusedByName() {
        assertThat(reason("{\"type\":\"start\",\"language\":\"" + "a".repeat(33) + "\"}"))
                .contains("`language`");
        assertThat(reason("{\"type\":\"start\",\"engine\":\"" + "a".repeat(33) + "\"}"))
                .contains("`engine`");
        assertThat(reason("{\"type\":\"start\",\"token\":\"" + "a".repeat(4097) + "\"}"))
                .contains("`token`");
        assertThat(reason("{\"type\":\"resume\",\"sessionId\":\"" + "s".repeat(65) + "\",\"resumeToken\":\"r\"}"))
                .contains("`sessionId`");
        assertThat(reason("{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"" + "r".repeat(513) + "\"}"))
                .contains("`resumeToken`");
        assertThat(ProtocolCodec.parseClient("{\"type\":\"start\",\"language\":\"" + "a".repeat(32)
                        + "\",\"format\":\"mp3\",\"sampleRate\":48000}"))
                .isInstanceOf(ClientMessage.Start.class);
    }

    private static String reason(String text) {
        ClientMessage parsed = ProtocolCodec.parseClient(text);
        assertThat(parsed).as(text).isInstanceOf(ClientMessage.Malformed.class);
        return ((ClientMessage.Malformed) parsed).reason();
    }
}
