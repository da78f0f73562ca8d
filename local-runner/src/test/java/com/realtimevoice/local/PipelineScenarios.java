package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.testsupport.SpeechFixtures;
import com.realtimevoice.testsupport.StreamingClient;
import com.realtimevoice.testsupport.WordErrorRate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The end-to-end checks, written once and run against any {@link LocalCluster}: in-process Kafka here,
 * Testcontainers' Kafka and MySQL where a Docker engine exists.
 */
final class PipelineScenarios {

    /**
     * Measured on the committed espeak fixtures with the small English model: about 0.05-0.10 per file (espeak's
     * synthetic voice and names like "stella" cost a word or two). 0.25 leaves room for that while still failing
     * if audio were dropped, reordered or cut at chunk borders, each of which costs far more.
     */
    static final double MAX_WER = 0.25;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LocalCluster cluster;

    PipelineScenarios(LocalCluster cluster) {
        this.cluster = cluster;
    }

    String baseUrl(int node) {
        return "http://localhost:" + cluster.ingestPort(node);
    }

    String wsUrl(int node, String token) {
        return "ws://localhost:" + cluster.ingestPort(node) + "/api/realtime-voice/stream"
                + (token == null ? "" : "?token=" + token);
    }

    String devToken(String userId) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl(0) + "/api/auth/dev-token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + userId + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StreamingClient.JSON.readTree(r.body()).get("token").asString();
    }

    /** A finished streaming session as the client saw it. */
    record Streamed(String sessionId, List<JsonNode> finals, JsonNode completed, List<JsonNode> all) {
        String joinedFinals() {
            return finals.stream().map(f -> f.get("text").asString()).collect(Collectors.joining(" "));
        }
    }

    Streamed stream(int node, String token, String fixture, double speed) throws Exception {
        return stream(node, token, fixture, speed, "");
    }

    /** @param options more fields of the start message, e.g. {@code ,"wordTimestamps":true} */
    Streamed stream(int node, String token, String fixture, double speed, String options) throws Exception {
        try (StreamingClient client = StreamingClient.connect(wsUrl(node, token))) {
            client.send("{\"type\":\"start\",\"format\":\"pcm\",\"sampleRate\":16000,\"interimResults\":true" + options
                    + "}");
            JsonNode started = client.await("started", Duration.ofSeconds(20));
            String sessionId = started.get("sessionId").asString();
            assertThat(started.get("resumeToken").asString()).isNotBlank();
            client.streamPcm(SpeechFixtures.pcm(fixture), speed);
            client.send("{\"type\":\"end\"}");
            JsonNode completed = client.await("completed", Duration.ofSeconds(90));
            List<JsonNode> all = client.received();
            assertThat(all.get(0).get("type").asString())
                    .as("started comes before any result")
                    .isEqualTo("started");
            assertThat(client.receivedOfType("error")).as("errors").isEmpty();
            return new Streamed(sessionId, client.receivedOfType("final"), completed, all);
        }
    }

    /**
     * Hotwords and output controls (issue 22) through the pipeline, on real speech: the start asks for a hotword,
     * masking and punctuation; started says what is in effect (the Vosk worker does not punctuate); the hotword and
     * the masked word reach the client in the finals and the completion. A start past the hotword limit is refused.
     */
    void hotwordsAndProfanityMaskReachTheClient() throws Exception {
        String token = devToken("hotwords");
        try (StreamingClient client = StreamingClient.connect(wsUrl(0, token))) {
            client.send("{\"type\":\"start\",\"hotwords\":[" + "\"w\",".repeat(100) + "\"w\"]}");
            JsonNode error = client.await("error", Duration.ofSeconds(10));
            assertThat(error.get("code").asString()).isEqualTo("BAD_REQUEST");
            assertThat(error.get("message").asString()).contains("`hotwords`").contains("100");
        }
        Streamed s = stream(
                0,
                token,
                "names.wav",
                3.0,
                ",\"hotwords\":[\"Stella\",\"Dashwood\"],\"profanity\":\"mask\",\"punctuation\":true");
        JsonNode options = s.all().get(0).get("options");
        System.out.printf(
                "hotwords through the pipeline: started options %s, finals '%s'%n", options, s.joinedFinals());
        assertThat(options.get("hotwords").toString()).isEqualTo("[\"Stella\",\"Dashwood\"]");
        assertThat(options.get("punctuation").asBoolean())
                .as("Vosk does not punctuate")
                .isFalse();
        assertThat(options.get("profanity").asString()).isEqualTo("mask");
        assertThat(options.get("numbers").asString()).isEqualTo("words");
        assertThat(options.get("wordTimestamps").asBoolean()).isFalse();
        assertThat(s.joinedFinals())
                .contains("call Stella tomorrow")
                .contains("this is c***")
                .doesNotContain("crap");
        assertThat(s.completed().get("text").asString()).isEqualTo(s.joinedFinals());
    }

    /**
     * Issue 22's streaming controls through the whole pipeline at real-time pace: {@code flush} after each utterance
     * (an {@code endpointingMs} of 5 s keeps the segment open, so only the flush can end it) brings its final within
     * 1.5 s; {@code speech_started} marks where each utterance starts; between the two the client drops and resumes,
     * and nothing is lost or sent twice. Returns the figures: flush latencies, onset offsets and onset latencies (ms).
     */
    Map<String, List<Long>> flushAndSpeechEventsAtRealTimePace() throws Exception {
        String token = devToken("flo");
        byte[] time = SpeechFixtures.pcm("time.wav");
        byte[] weather = SpeechFixtures.pcm("weather.wav");
        List<Long> flushMs = new java.util.ArrayList<>();
        List<Long> onsetVsFirstWord = new java.util.ArrayList<>();
        List<Long> onsetLatency = new java.util.ArrayList<>();
        List<JsonNode> finals = new java.util.ArrayList<>();
        String sessionId;
        String resumeToken;
        // A warm pipeline, as a service in use is: the first session of a fresh cluster also pays for partition
        // leadership, consumer assignment and the engine's first decode (seconds on a busy machine).
        stream(0, token, "time.wav", 4.0);
        try (StreamingClient c = StreamingClient.connect(wsUrl(0, token))) {
            c.send("{\"type\":\"start\",\"endpointingMs\":5000,\"speechEvents\":true}");
            JsonNode started = c.await("started", Duration.ofSeconds(20));
            sessionId = started.get("sessionId").asString();
            resumeToken = started.get("resumeToken").asString();
            onsetLatency.add(streamAtRealTime(c, time, 0));
            finals.add(flush(c, flushMs));
            assertThat(finals.get(0).get("index").asInt()).isZero();
            JsonNode speech = c.receivedOfType("speech_started").get(0);
            assertThat(speech.get("sessionId").asString()).isEqualTo(sessionId);
            onsetVsFirstWord.add(
                    speech.get("atMs").asLong() - finals.get(0).get("startMs").asLong());
            assertThat(c.receivedOfType("error")).isEmpty();
        } // dropped without an end: a phone changing networks
        try (StreamingClient c = StreamingClient.connect(wsUrl(0, token))) {
            c.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\"" + resumeToken
                    + "\",\"lastIndex\":0}");
            c.await("resumed", Duration.ofSeconds(20));
            onsetLatency.add(streamAtRealTime(c, weather, time.length * 1000L / 32_000));
            finals.add(flush(c, flushMs));
            assertThat(finals.get(1).get("index").asInt())
                    .as("the next segment after the flushed one")
                    .isEqualTo(1);
            assertThat(finals.get(1).get("startMs").asLong())
                    .as("in the session's audio, after the first utterance")
                    .isGreaterThanOrEqualTo(finals.get(0).get("endMs").asLong());
            List<JsonNode> speech = c.receivedOfType("speech_started");
            assertThat(speech).hasSize(1);
            onsetVsFirstWord.add(speech.get(0).get("atMs").asLong()
                    - finals.get(1).get("startMs").asLong());
            c.send("{\"type\":\"end\"}");
            JsonNode completed = c.await("completed", Duration.ofSeconds(30));
            assertThat(c.receivedOfType("final")).as("nothing sent twice").hasSize(1);
            assertThat(c.receivedOfType("error")).isEmpty();
            assertThat(completed.get("segments").asInt()).isEqualTo(2);
            assertThat(completed.get("text").asString())
                    .isEqualTo(finals.get(0).get("text").asString() + " "
                            + finals.get(1).get("text").asString());
            assertThat(WordErrorRate.of(
                            "what time is it the weather is nice today",
                            completed.get("text").asString()))
                    .isLessThanOrEqualTo(MAX_WER);
        }
        // Where a flush's time goes (maxima over the cluster's run): ingest -> worker for the flush, worker ->
        // result-service for finals, the finals' database write (every final is stored before it is sent),
        // result-service -> ingest for deliveries.
        Map<String, List<Long>> figures = new java.util.LinkedHashMap<>();
        figures.put("flushMs", flushMs);
        figures.put("onsetVsFirstWordMs", onsetVsFirstWord);
        figures.put("onsetLatencyMs", onsetLatency);
        figures.put(
                "maxMs ingest->worker(flush), worker->result(final), db write(finals), result->ingest",
                List.of(
                        maxMs(cluster.workers().get(0), "asr.worker.hop.latency", "type", "session.flushed"),
                        maxMs(cluster.resultServices().get(0), "result.hop.latency", "type", "transcript.final"),
                        maxMs(cluster.resultServices().get(0), "result.db.write", "operation", "final"),
                        maxMs(cluster.ingestNodes().get(0), "ingest.delivery.hop.latency", null, null)));
        System.out.println("streaming controls at real-time pace: " + figures);
        assertThat(flushMs)
                .as("flush -> final, ms; " + figures)
                .allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(1500L));
        assertThat(onsetVsFirstWord)
                .as("speech_started atMs - the final's first word, ms")
                .allSatisfy(ms -> assertThat(Math.abs(ms)).isLessThanOrEqualTo(200L));
        return figures;
    }

    private static long maxMs(
            org.springframework.context.ApplicationContext service, String meter, String tag, String value) {
        io.micrometer.core.instrument.search.Search search = service.getBean(
                        io.micrometer.core.instrument.MeterRegistry.class)
                .find(meter);
        io.micrometer.core.instrument.Timer timer = (tag == null ? search : search.tag(tag, value)).timer();
        return timer == null ? -1 : (long) timer.max(java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Streams PCM in 100 ms chunks at real-time pace; returns how long after the chunk holding the speech onset was
     * sent its {@code speech_started} had arrived (checked after each chunk, so to within ~100 ms), or -1.
     */
    private static long streamAtRealTime(StreamingClient c, byte[] pcm, long sessionOffsetMs)
            throws InterruptedException {
        int seen = c.receivedOfType("speech_started").size();
        long start = System.nanoTime();
        long[] sentAt = new long[(pcm.length + 3199) / 3200];
        long latency = -1;
        for (int n = 0; n < sentAt.length; n++) {
            c.sendAudio(java.util.Arrays.copyOfRange(pcm, n * 3200, Math.min(pcm.length, (n + 1) * 3200)));
            sentAt[n] = System.nanoTime();
            List<JsonNode> speech = c.receivedOfType("speech_started");
            if (latency < 0 && speech.size() > seen) {
                int chunk = (int) ((speech.get(seen).get("atMs").asLong() - sessionOffsetMs) / 100);
                latency = (System.nanoTime() - sentAt[Math.max(0, Math.min(chunk, n))]) / 1_000_000;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(
                    Math.max(0, start + (n + 1) * 100_000_000L - System.nanoTime()));
        }
        return latency;
    }

    /** Sends a flush; returns the final it brings, adding the wait to {@code latencies}. */
    private static JsonNode flush(StreamingClient c, List<Long> latencies) throws InterruptedException {
        int before = c.receivedOfType("final").size();
        long t = System.nanoTime();
        c.send("{\"type\":\"flush\"}");
        JsonNode fin = c.await("final", Duration.ofSeconds(10));
        latencies.add((System.nanoTime() - t) / 1_000_000);
        assertThat(before)
                .as("no final before the flush: endpointingMs keeps the segment open")
                .isZero();
        return fin;
    }

    /**
     * The whole flow on one session: words, order, completion text, rows in the database, history over REST, exports.
     * The session asks for word timings (issue 22): they travel with every final, are stored and come back.
     */
    void streamsSpeechAndStoresTheTranscript() throws Exception {
        String token = devToken("alice");
        Streamed s = stream(0, token, "sentences.wav", 3.0, ",\"wordTimestamps\":true");
        int words = checkWordTimings(s.finals());
        System.out.printf(
                "word timings: %d words in %d finals, all in order, inside their final's span and spelling its text%n",
                words, s.finals().size());

        assertThat(s.finals())
                .as("several sentences with pauses give several finals")
                .hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < s.finals().size(); i++) {
            JsonNode f = s.finals().get(i);
            assertThat(f.get("index").asInt())
                    .as("finals arrive in index order from 0")
                    .isEqualTo(i);
            assertThat(f.get("sessionId").asString()).isEqualTo(s.sessionId());
            assertThat(f.get("endMs").asLong()).isGreaterThan(f.get("startMs").asLong());
            if (i > 0) {
                assertThat(f.get("startMs").asLong())
                        .isGreaterThanOrEqualTo(
                                s.finals().get(i - 1).get("endMs").asLong());
            }
        }
        assertThat(s.completed().get("text").asString()).isEqualTo(s.joinedFinals());
        assertThat(s.completed().get("segments").asInt()).isEqualTo(s.finals().size());
        double wer = WordErrorRate.of(SpeechFixtures.reference("sentences.wav"), s.joinedFinals());
        assertThat(wer).as("WER of '%s'", s.joinedFinals()).isLessThanOrEqualTo(MAX_WER);

        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        List<Map<String, Object>> rows = db.queryForList(
                "select seg_index, text from transcript_segment where session_id = ? order by seg_index",
                s.sessionId());
        assertThat(rows).hasSize(s.finals().size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(((Number) rows.get(i).get("seg_index")).intValue()).isEqualTo(i);
            assertThat(rows.get(i).get("text"))
                    .isEqualTo(s.finals().get(i).get("text").asString());
        }
        assertThat(db.queryForObject("select status from transcript_session where id = ?", String.class, s.sessionId()))
                .isEqualTo("COMPLETED");
        assertThat(db.queryForObject(
                        "select count(*) from transcript_segment where session_id = ? and words is not null",
                        Integer.class,
                        s.sessionId()))
                .as("words stored with every segment")
                .isEqualTo(s.finals().size());

        // History: the owner reads it through the ingest node; anyone else gets 404.
        HttpResponse<String> mine = get(baseUrl(0) + "/api/sessions/" + s.sessionId(), token);
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        assertThat(StreamingClient.JSON.readTree(mine.body()).get("text").asString())
                .isEqualTo(s.joinedFinals());
        JsonNode historySegments = StreamingClient.JSON.readTree(mine.body()).get("segments");
        for (int i = 0; i < s.finals().size(); i++) {
            assertThat(historySegments.get(i).get("words"))
                    .as("history words of final %d", i)
                    .isEqualTo(s.finals().get(i).get("words"));
        }
        HttpResponse<String> theirs = get(baseUrl(0) + "/api/sessions/" + s.sessionId(), devToken("mallory"));
        assertThat(theirs.statusCode()).isEqualTo(404);

        // The session list, the exports and delete, through the ingest node too.
        HttpResponse<String> list = get(baseUrl(0) + "/api/sessions?limit=5", token);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(StreamingClient.JSON.readTree(list.body()).get("sessions").findValuesAsString("sessionId"))
                .contains(s.sessionId());
        HttpResponse<String> vtt = get(baseUrl(0) + "/api/sessions/" + s.sessionId() + "?format=vtt", token);
        assertThat(vtt.statusCode()).as(vtt.body()).isEqualTo(200);
        assertThat(vtt.headers().firstValue("Content-Type")).get().asString().startsWith("text/vtt");
        assertThat(vtt.headers().firstValue("Content-Disposition"))
                .get()
                .asString()
                .contains(s.sessionId() + ".vtt");
        assertThat(vtt.body()).startsWith("WEBVTT\n\n00:00:");
        assertThat(String.join(
                        " ",
                        vtt.body()
                                .lines()
                                .skip(1)
                                .filter(l -> !l.isBlank() && !l.contains(" --> "))
                                .toList()))
                .isEqualTo(s.joinedFinals().strip().replaceAll("\\s+", " "));
        HttpResponse<String> srt = get(baseUrl(0) + "/api/sessions/" + s.sessionId() + "?format=srt", token);
        assertThat(srt.headers().firstValue("Content-Type")).get().asString().startsWith("application/x-subrip");
        assertThat(srt.body()).startsWith("1\n00:00:");
        checkedByOtherParsers(vtt.body(), srt.body(), s.joinedFinals());
        assertThat(HTTP.send(
                                HttpRequest.newBuilder(URI.create(baseUrl(0) + "/api/sessions/" + s.sessionId()))
                                        .header("Authorization", "Bearer " + devToken("mallory"))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(404);
        HttpResponse<String> deleted = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl(0) + "/api/sessions/" + s.sessionId()))
                        .header("Authorization", "Bearer " + token)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        assertThat(get(baseUrl(0) + "/api/sessions/" + s.sessionId(), token).statusCode())
                .isEqualTo(404);
        assertThat(db.queryForObject(
                        "select count(*) from transcript_segment where session_id = ?", Integer.class, s.sessionId()))
                .isZero();
    }

    /**
     * DELETE of a session while its speaker is still talking ends it first (issue 22): the speaker gets completed with
     * what was said so far, the delete answers 204, and nothing of it is left; a resume finds no session.
     */
    void deletingALiveSessionEndsItFirst() throws Exception {
        String token = devToken("dora");
        byte[] pcm = SpeechFixtures.pcm("sentences.wav");
        try (StreamingClient client = StreamingClient.connect(wsUrl(0, token))) {
            client.send("{\"type\":\"start\"}");
            JsonNode started = client.await("started", Duration.ofSeconds(20));
            String sessionId = started.get("sessionId").asString();
            client.streamPcm(java.util.Arrays.copyOf(pcm, pcm.length / 2), 3.0); // half of it; the speaker goes on
            long before = System.nanoTime();
            HttpResponse<String> deleted = HTTP.send(
                    HttpRequest.newBuilder(URI.create(baseUrl(0) + "/api/sessions/" + sessionId))
                            .header("Authorization", "Bearer " + token)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            long tookMs = (System.nanoTime() - before) / 1_000_000;
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            JsonNode completed = client.await("completed", Duration.ofSeconds(10));
            System.out.printf(
                    "live delete: 204 after %d ms; the speaker got completed with '%s'%n",
                    tookMs, completed.get("text").asString());
            assertThat(completed.get("sessionId").asString()).isEqualTo(sessionId);
            assertThat(get(baseUrl(0) + "/api/sessions/" + sessionId, token).statusCode())
                    .isEqualTo(404);
            JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
            assertThat(db.queryForObject(
                                    "select count(*) from transcript_session where id = ?", Integer.class, sessionId)
                            + db.queryForObject(
                                    "select count(*) from transcript_segment where session_id = ?",
                                    Integer.class,
                                    sessionId))
                    .as("rows left of the deleted session")
                    .isZero();
            try (StreamingClient again = StreamingClient.connect(wsUrl(0, token))) {
                again.send("{\"type\":\"resume\",\"sessionId\":\"" + sessionId + "\",\"resumeToken\":\""
                        + started.get("resumeToken").asString() + "\",\"lastIndex\":-1,\"nextSeq\":0}");
                assertThat(again.await("error", Duration.ofSeconds(20))
                                .get("code")
                                .asString())
                        .isEqualTo("SESSION_NOT_FOUND");
            }
        }
    }

    /** POST /recognize with a WAV runs through the same pipeline and answers the transcript. */
    void recognizesAnUploadedWav() throws Exception {
        String token = devToken("bob");
        byte[] wav = Files.readAllBytes(SpeechFixtures.wav("weather.wav"));
        JsonNode body = Uploads.transcript(
                HTTP,
                Uploads.recognize(baseUrl(0), token, "weather.wav", "audio/wav", wav)
                        .build());
        assertThat(WordErrorRate.of(
                        SpeechFixtures.reference("weather.wav"),
                        body.get("text").asString()))
                .as(body.toString())
                .isLessThanOrEqualTo(MAX_WER);
        JdbcTemplate db = cluster.resultServices().get(0).getBean(JdbcTemplate.class);
        assertThat(db.queryForObject(
                        "select count(*) from transcript_segment where session_id = ?",
                        Integer.class,
                        body.get("sessionId").asString()))
                .isEqualTo(body.get("segments").size());
    }

    /**
     * A mini-program's path: wx.login() code -> POST /api/auth/wechat/login on the ingest node -> the product's token
     * in the upgrade request's Authorization header (as wx.connectSocket sends it) -> a stored transcript.
     */
    void aMiniProgramLogsInWithWeChatAndStreams(com.realtimevoice.testsupport.FakeWeChat wechat) throws Exception {
        HttpResponse<String> login = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl(0) + "/api/auth/wechat/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"code\":\"" + wechat.loginCode("oWx-e2e-user") + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        JsonNode body = StreamingClient.JSON.readTree(login.body());
        String token = body.get("token").asString();
        try (StreamingClient client =
                StreamingClient.connect(wsUrl(0, null), Map.of("Authorization", "Bearer " + token))) {
            client.send("{\"type\":\"start\"}");
            String sessionId = client.await("started", Duration.ofSeconds(20))
                    .get("sessionId")
                    .asString();
            client.streamPcm(SpeechFixtures.pcm("time.wav"), 4.0);
            client.send("{\"type\":\"end\"}");
            JsonNode completed = client.await("completed", Duration.ofSeconds(60));
            assertThat(WordErrorRate.of(
                            SpeechFixtures.reference("time.wav"),
                            completed.get("text").asString()))
                    .isLessThanOrEqualTo(MAX_WER);
            // a client that did not ask for word timings sees the finals it always saw: no "words" field
            assertThat(client.receivedOfType("final"))
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(f.has("words")).as(f.toString()).isFalse());
            HttpResponse<String> history = get(baseUrl(0) + "/api/sessions/" + sessionId, token);
            assertThat(StreamingClient.JSON
                            .readTree(history.body())
                            .get("userId")
                            .asString())
                    .isEqualTo(body.get("userId").asString());
        }
    }

    /**
     * The contract of word timings on real speech: every final has words, they spell its text, run in order and lie
     * inside its startMs/endMs, with a confidence between 0 and 1. Returns how many words there were.
     */
    static int checkWordTimings(List<JsonNode> finals) {
        int count = 0;
        for (JsonNode f : finals) {
            JsonNode words = f.get("words");
            assertThat(words).as("words of %s", f).isNotNull();
            assertThat(words.isArray() && !words.isEmpty()).as("words of %s", f).isTrue();
            long start = f.get("startMs").asLong();
            long end = f.get("endMs").asLong();
            long previousStart = start;
            List<String> spelled = new java.util.ArrayList<>();
            for (JsonNode w : words) {
                long ws = w.get("startMs").asLong();
                long we = w.get("endMs").asLong();
                assertThat(ws)
                        .as("%s in %s", w, f)
                        .isGreaterThanOrEqualTo(previousStart)
                        .isLessThanOrEqualTo(we);
                assertThat(we).as("%s in %s", w, f).isLessThanOrEqualTo(end);
                assertThat(w.get("confidence").asDouble()).as("%s", w).isBetween(0.0, 1.0);
                spelled.add(w.get("word").asString());
                previousStart = ws;
                count++;
            }
            assertThat(String.join(" ", spelled)).isEqualTo(f.get("text").asString());
        }
        return count;
    }

    /**
     * Every service answers its liveness/readiness probes and serves Prometheus metrics with its own meters, on its
     * management port; its own port has no /actuator.
     */
    void everyServiceExposesHealthAndMetrics() throws Exception {
        Map<String, org.springframework.context.ConfigurableApplicationContext> services =
                new java.util.LinkedHashMap<>();
        services.put("ingest.", cluster.ingestNodes().get(0));
        services.put("asr_worker_", cluster.workers().get(0));
        services.put("result_", cluster.resultServices().get(0));
        for (Map.Entry<String, org.springframework.context.ConfigurableApplicationContext> e : services.entrySet()) {
            int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) e.getValue())
                    .getWebServer()
                    .getPort();
            HttpResponse<String> notPublic = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(notPublic.statusCode())
                    .as("actuator on the service port of " + e.getKey())
                    .isEqualTo(404);
            String base = "http://localhost:" + LocalCluster.managementPort(e.getValue()) + "/actuator";
            for (String probe : List.of("/health/liveness", "/health/readiness")) {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + probe)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(base + probe + " " + r.body()).isEqualTo(200);
                assertThat(r.body()).contains("UP");
            }
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            String prefix = e.getKey().replace('.', '_');
            assertThat(metrics.body())
                    .as("metrics of %s", base)
                    .contains(prefix)
                    .contains("jvm_memory_used_bytes");
        }
    }

    /**
     * The exports read by parsers this project did not write (W3C's webvtt-parser and srt-parser-2, in
     * clients/subtitles): no WebVTT error, the same cues in both, their text the transcript.
     */
    private static void checkedByOtherParsers(String vtt, String srt, String transcript) throws Exception {
        Path node = com.realtimevoice.local.clients.RequiredTools.require(
                "node", "apt-get install -y nodejs npm", "/usr/bin/node", "/usr/local/bin/node");
        Path dir = com.realtimevoice.local.clients.RequiredTools.repoRoot().resolve("clients/subtitles");
        if (!Files.isDirectory(dir.resolve("node_modules/webvtt-parser"))) {
            Path npm = com.realtimevoice.local.clients.RequiredTools.require(
                    "npm", "apt-get install -y npm", "/usr/bin/npm", "/usr/local/bin/npm");
            Process install = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(install.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) && install.exitValue() == 0)
                    .as("npm ci in " + dir + ":\n" + out)
                    .isTrue();
        }
        Path vttFile = Files.createTempFile("export", ".vtt");
        Path srtFile = Files.createTempFile("export", ".srt");
        try {
            Files.writeString(vttFile, vtt);
            Files.writeString(srtFile, srt);
            Process check = new ProcessBuilder(node.toString(), "check.mjs", vttFile.toString(), srtFile.toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && check.exitValue() == 0)
                    .as(out)
                    .isTrue();
            JsonNode parsed = StreamingClient.JSON.readTree(out);
            assertThat(parsed.get("vttErrors").size()).as(out).isZero();
            assertThat(parsed.get("vttCues").size())
                    .as(out)
                    .isPositive()
                    .isEqualTo(parsed.get("srtCues").size());
            List<String> vttText = new java.util.ArrayList<>();
            List<String> srtText = new java.util.ArrayList<>();
            for (int i = 0; i < parsed.get("vttCues").size(); i++) {
                JsonNode v = parsed.get("vttCues").get(i);
                JsonNode r = parsed.get("srtCues").get(i);
                assertThat(v.get("end").asDouble())
                        .as(out)
                        .isGreaterThan(v.get("start").asDouble());
                assertThat(r.get("start").asDouble())
                        .as(out)
                        .isEqualTo(v.get("start").asDouble());
                vttText.add(v.get("text")
                        .asString()
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&"));
                srtText.add(r.get("text").asString());
            }
            String expected = transcript.strip().replaceAll("\\s+", " ");
            assertThat(String.join(" ", vttText)).isEqualTo(expected);
            assertThat(String.join(" ", srtText)).isEqualTo(expected);
        } finally {
            Files.deleteIfExists(vttFile);
            Files.deleteIfExists(srtFile);
        }
    }

    static HttpResponse<String> get(String url, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
