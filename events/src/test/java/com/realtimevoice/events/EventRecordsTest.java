package com.realtimevoice.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EventRecordsTest {

    static List<PipelineEvent> samples() {
        return List.of(
                new SessionStarted(
                        "s-1",
                        "u-1",
                        "ingest-a",
                        "asr.delivery.v1.ingest-a",
                        "pcm",
                        16000,
                        "en-US",
                        "vosk",
                        true,
                        false,
                        1764028800000L,
                        true,
                        800,
                        true,
                        null),
                new SessionResumed("s-1", "u-1", "ingest-b", "asr.delivery.v1.ingest-b", 3, 42L, 1764028803000L),
                new SessionEnded("s-1", 41, 131200, "end", 1764028804100L, "ingest-a"),
                new TranscriptPartial("s-1", 0, "hello wor", 1764028801000L),
                new TranscriptFinal("s-1", 0, "hello world", 120, 1480, "vosk", 1764028801500L, 1764028801520L),
                new SessionCompleted("s-1", 2, "hello world how are you", 1764028804300L),
                new SessionFailed("s-1", "ENGINE_UNAVAILABLE", "vosk model failed to load", 1764028804400L),
                new SessionFlushed("s-1", 17, 1764028802000L),
                new SpeechStarted("s-1", 1240, 1764028801300L),
                new WatchJoined("s-1", "ingest-c", "asr.delivery.v1.ingest-c", 1764028801700L),
                new WatchSynced(
                        "s-1",
                        2,
                        "STARTED",
                        List.of(new WatchSynced.Final(0, "hello world", 120, 1480)),
                        null,
                        1764028801750L),
                new WatchRevoked("s-1", 3, 1764028805000L));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void jsonEventsMatchTheirGoldenFile(PipelineEvent event) throws IOException {
        String token = EventType.of(event).token();
        JsonMapper mapper = JsonMapper.builder().build();
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/" + token + ".json")) {
            assertThat(in).as("golden file for " + token).isNotNull();
            golden = mapper.readTree(in);
        }
        assertThat(mapper.readTree(EventRecords.toJson(event))).isEqualTo(golden);
        assertThat(EventRecords.fromJson(EventType.of(event), golden.toString().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void recordsRoundTripThroughHeadersAndValue(PipelineEvent event) {
        ProducerRecord<String, byte[]> record = EventRecords.toRecord(Topics.TRANSCRIPTS, event);
        assertThat(record.key()).isEqualTo("s-1");
        assertThat(EventRecords.decode(record.key(), record.headers(), record.value()))
                .isEqualTo(event);
        assertThat(EventRecords.header(record.headers(), EventHeaders.EVENT_ID)).isNotBlank();
        assertThat(EventRecords.createdAt(record.headers())).isPositive();
    }

    /**
     * A worker or ingest node of the previous release sends none of issue 22's start options: they read as absent
     * (wordTimestamps false), not a failure; endpointingMs and speechEvents are not written back either.
     */
    @Test
    void aStartFromAnOlderProducerHasNoneOfTheNewOptions() {
        String old =
                "{\"sessionId\":\"s-1\",\"userId\":\"u-1\",\"nodeId\":\"n\",\"replyTopic\":\"t\",\"format\":\"pcm\","
                        + "\"sampleRate\":16000,\"language\":null,\"engine\":null,\"interimResults\":true,\"oneShot\":false,\"startedAtMs\":1}";
        SessionStarted started =
                (SessionStarted) EventRecords.fromJson(EventType.SESSION_STARTED, old.getBytes(StandardCharsets.UTF_8));
        assertThat(started.wordTimestamps()).isFalse();
        assertThat(started.endpointingMs()).isNull();
        assertThat(started.wantsSpeechEvents()).isFalse();
        assertThat(started.recognition()).isEqualTo(RecognitionOptions.NONE);
        // neither control is written back (wordTimestamps, another extension, is written as false)
        assertThat(new String(EventRecords.toJson(started), StandardCharsets.UTF_8))
                .isEqualTo(old.substring(0, old.length() - 1) + ",\"wordTimestamps\":false}");
    }

    @Test
    void audioTravelsAsRawBytesWithMetadataInHeaders() {
        byte[] pcm = {1, 2, 3, 4, 5, 6};
        AudioChunk chunk = new AudioChunk("s-9", 7, 22400, "pcm", 16000, 1764028800123L, pcm);
        ProducerRecord<String, byte[]> record = EventRecords.toRecord(Topics.AUDIO, chunk);
        assertThat(record.value()).isSameAs(pcm);
        assertThat(EventRecords.header(record.headers(), EventHeaders.TYPE)).isEqualTo("audio.chunk");
        AudioChunk back = (AudioChunk) EventRecords.decode("s-9", record.headers(), record.value());
        assertThat(back.seq()).isEqualTo(7);
        assertThat(back.byteOffset()).isEqualTo(22400);
        assertThat(back.sampleRate()).isEqualTo(16000);
        assertThat(back.receivedAtMs()).isEqualTo(1764028800123L);
        assertThat(back.audio()).containsExactly(pcm);
    }

    @Test
    void malformedRecordsAreRejectedWithAReason() {
        RecordHeaders noType = new RecordHeaders();
        assertThatThrownBy(() -> EventRecords.decode("s", noType, new byte[0]))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("rv-type");

        RecordHeaders unknown = new RecordHeaders();
        unknown.add(EventHeaders.TYPE, "nonsense".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventRecords.decode("s", unknown, new byte[0]))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("nonsense");

        RecordHeaders fin = new RecordHeaders();
        fin.add(EventHeaders.TYPE, "transcript.final".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventRecords.decode("s", fin, "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("transcript.final");

        RecordHeaders audio = new RecordHeaders();
        audio.add(EventHeaders.TYPE, "audio.chunk".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventRecords.decode("s", audio, new byte[2]))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("header");
    }

    @Test
    void wordsTravelWithAFinalAndAreAbsentWithoutThem() {
        TranscriptFinal withWords = new TranscriptFinal(
                "s-1",
                0,
                "hello world",
                120,
                1480,
                "vosk",
                1L,
                2L,
                List.of(new Word("hello", 120, 640, 0.97), new Word("world", 700, 1480, null)));
        String json = new String(EventRecords.toJson(withWords), StandardCharsets.UTF_8);
        assertThat(json)
                .endsWith("\"words\":[{\"word\":\"hello\",\"startMs\":120,\"endMs\":640,\"confidence\":0.97},"
                        + "{\"word\":\"world\",\"startMs\":700,\"endMs\":1480}]}");
        assertThat(EventRecords.fromJson(EventType.TRANSCRIPT_FINAL, EventRecords.toJson(withWords)))
                .isEqualTo(withWords);
        // without words (the session did not ask), the JSON is the golden one: no "words" field at all
        assertThat(new String(EventRecords.toJson(samples().get(4)), StandardCharsets.UTF_8))
                .doesNotContain("words");
    }

    @Test
    void wordsAreFittedToTheFinalAndToTheColumn() {
        String longWord =
                "w".repeat(Word.MAX_CHARS - 1) + "\uD83D\uDE00"; // an emoji across the limit is not cut in half
        List<Word> fitted = Word.fit(
                List.of(
                        new Word("early", 50, 300, 1.5),
                        new Word(" ", 300, 310, 0.5),
                        new Word(longWord, 900, 700, -0.2),
                        new Word("late", 1400, 2000, Double.NaN)),
                120,
                1480);
        assertThat(fitted)
                .containsExactly(
                        new Word("early", 120, 300, 1.0),
                        new Word("w".repeat(Word.MAX_CHARS - 1), 900, 900, 0.0),
                        new Word("late", 1400, 1480, null));
        List<Word> many = java.util.stream.IntStream.range(0, Word.MAX_PER_FINAL + 5)
                .mapToObj(i -> new Word("a", i, i + 1, 1.0))
                .toList();
        assertThat(Word.fit(many, 0, 10_000)).hasSize(Word.MAX_PER_FINAL);
    }

    @Test
    void hotwordsAndOutputControlsTravelWithTheStartAndAreAbsentWithoutThem() {
        SessionStarted started =
                withOptions(new RecognitionOptions(List.of("Stella", "Dashwood"), false, "digits", "mask"));
        String json = new String(EventRecords.toJson(started), StandardCharsets.UTF_8);
        assertThat(json)
                .endsWith(
                        "\"options\":{\"hotwords\":[\"Stella\",\"Dashwood\"],\"punctuation\":false,\"numbers\":\"digits\",\"profanity\":\"mask\"}}");
        assertThat(EventRecords.fromJson(EventType.SESSION_STARTED, EventRecords.toJson(started)))
                .isEqualTo(started);
        SessionStarted none = withOptions(RecognitionOptions.NONE);
        assertThat(new String(EventRecords.toJson(none), StandardCharsets.UTF_8))
                .doesNotContain("options");
    }

    /** A start that asks for nothing else than these options. */
    private static SessionStarted withOptions(RecognitionOptions options) {
        return new SessionStarted(
                "s-1", "u-1", "ingest-a", "r", "pcm", 16000, null, null, true, false, 1L, false, null, null, options);
    }

    @Test
    void keyMustMatchSessionId() {
        ProducerRecord<String, byte[]> record =
                EventRecords.toRecord(Topics.TRANSCRIPTS, samples().get(2));
        assertThatThrownBy(() -> EventRecords.decode("other", record.headers(), record.value()))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("differs");
    }

    @Test
    void deliveryTopicNamesAreValidated() {
        assertThat(Topics.delivery("ingest-a")).isEqualTo("asr.delivery.v1.ingest-a");
        assertThatThrownBy(() -> Topics.delivery("bad/name")).isInstanceOf(IllegalArgumentException.class);
    }
}
