package com.realtimevoice.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.ingest.IngestApplication;
import com.realtimevoice.testsupport.StreamingClient;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Property test of the edge: seeded random and boundary values for every field of {@code start}, {@code resume},
 * {@code end} and the {@code /recognize} upload form, against a running node with its shipped limits. Each value is
 * generated with whether the table of limits (ClientLimits) admits it, and the properties are:
 * <ul>
 * <li>the answer is the contract's JSON: a breach is {@code BAD_REQUEST} naming a breached field, anything else a
 *     documented answer, never {@code INTERNAL};</li>
 * <li>nothing is logged with a stack trace (every log event of the run is captured);</li>
 * <li>another client, pinging on its own socket throughout, is answered within a second every time.</li>
 * </ul>
 * Replay with -Dfuzz.seed=N; -Dfuzz.cases=N for a longer run. Writes target/security/client-input-property.md.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "ingest.node-id=property-test", "ASR_TOPIC_PARTITIONS=1"})
@EmbeddedKafka(partitions = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("local")
class ClientInputPropertyTest {

    private static final long SEED = Long.getLong("fuzz.seed", 190419L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 240);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> CODES = Set.of(
            "UNAUTHORIZED",
            "BAD_REQUEST",
            "UNSUPPORTED_FORMAT",
            "TOO_LARGE",
            "RATE_LIMITED",
            "OVERLOADED",
            "SESSION_NOT_FOUND");
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

    @LocalServerPort
    int port;

    @Autowired
    TokenService tokens;

    /** A generated JSON value (null: the field is left out), and whether the table of limits admits it. */
    record Value(String json, boolean valid) {}

    /** Outcomes seen, per message kind: the table in target/security/client-input-property.md. */
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void randomAndBoundaryValuesGetContractErrorsWithoutStackTracesAndOthersAreServed() throws Exception {
        List<ILoggingEvent> logged = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                logged.add(event);
            }
        };
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);

        List<Long> rtts = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        StreamingClient other = StreamingClient.connect(ws(token("bystander")));
        CompletableFuture<Void> pinger = CompletableFuture.runAsync(() -> {
            try {
                while (running.get()) {
                    long t = System.nanoTime();
                    other.send("{\"type\":\"ping\"}");
                    other.await("pong", WAIT);
                    rtts.add((System.nanoTime() - t) / 1_000_000);
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long t0 = System.nanoTime();
        try {
            Random random = new Random(SEED);
            for (int i = 0; i < CASES; i++) {
                String where = "seed " + SEED + " case " + i;
                switch (i % 4) {
                    case 0 -> start(random, "prop-" + i, where);
                    case 1 -> resume(random, "prop-" + i, where);
                    case 2 -> end(random, "prop-" + i, where);
                    default -> upload(random, "prop-" + i, where);
                }
            }
        } finally {
            running.set(false);
            root.detachAppender(capture);
        }
        pinger.join();
        other.close();

        List<String> traces = logged.stream()
                .filter(e -> e.getThrowableProxy() != null)
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage() + " / "
                        + e.getThrowableProxy().getClassName())
                .toList();
        assertThat(traces).as("log events with a stack trace").isEmpty();
        assertThat(logged.stream()
                        .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR))
                        .map(ILoggingEvent::getFormattedMessage)
                        .toList())
                .as("ERROR log events")
                .isEmpty();
        assertThat(rtts).as("the other client kept being answered").hasSizeGreaterThan(5);
        assertThat(rtts.stream().mapToLong(Long::longValue).max().orElse(0))
                .as("its slowest pong (ms), on a loaded machine")
                .isLessThan(2000);
        writeTable((System.nanoTime() - t0) / 1_000_000, rtts);
    }

    // ---- start ------------------------------------------------------------------------------------------------

    private void start(Random r, String user, String where) throws Exception {
        String valid = token(user);
        Fields fields = new Fields(r);
        fields.put(
                "token",
                () -> pick(
                        r,
                        new Value(null, true),
                        new Value("null", true),
                        new Value(quote(valid), true),
                        new Value(quote("a".repeat(4097)), false),
                        new Value(quote("ey<script>"), false),
                        new Value("42", false),
                        new Value(quote(""), false)));
        fields.put("userId", () -> userId(r));
        fields.put(
                "format",
                () -> pick(
                        r,
                        new Value(null, true),
                        new Value(quote("pcm"), true),
                        new Value(quote("PCM"), true),
                        new Value(quote("mp3"), true),
                        new Value(quote("ogg"), true),
                        new Value(quote("pcm;channels=1;;;;;;;;;"), false),
                        new Value(quote("p".repeat(16)), true),
                        new Value(quote("p".repeat(17)), false),
                        new Value(quote(""), false),
                        new Value(quote("pcm\\u0000"), false),
                        new Value("7", false),
                        new Value("{}", false)));
        fields.put("channels", () -> integer(r, 1, 255, 1, 2));
        fields.put("sampleRate", () -> integer(r, 1, 384_000, 16000, 8000, 48000, 7, 44100));
        fields.put("language", () -> text(r, 32, "en", "zh-CN"));
        fields.put("engine", () -> text(r, 32, "vosk"));
        fields.put(
                "interimResults",
                () -> pick(
                        r,
                        new Value(null, true),
                        new Value("true", true),
                        new Value("false", true),
                        new Value("\"yes\"", false),
                        new Value("1", false)));
        boolean valid0 = fields.values().stream().allMatch(Value::valid);
        boolean descriptorFits = descriptorFits(fields.get("format"), fields.get("channels"));
        String json = object("start", fields);

        try (StreamingClient c = StreamingClient.connect(ws(valid))) {
            c.send(json);
            JsonNode answer = answer(c, where + " " + json);
            if (!valid0 || !descriptorFits) {
                assertBadRequestNaming(
                        answer, fields, descriptorFits ? Set.of() : Set.of("format"), where + " " + json);
            } else if (answer.path("type").asString().equals("error")) {
                String code = answer.path("code").asString();
                // a token of the right shape that is not a token; a rate or format of the right shape not supported
                assertThat(code).as(where + " " + json + " -> " + answer).isIn("UNSUPPORTED_FORMAT", "UNAUTHORIZED");
                if (code.equals("UNAUTHORIZED")) {
                    assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
                }
            } else {
                assertThat(answer.path("type").asString())
                        .as(where + " " + json)
                        .isEqualTo("started");
                outcome("start", "started");
                return;
            }
            outcome("start", answer.path("code").asString());
            assertStillServes(c, answer, where);
        }
    }

    private static boolean descriptorFits(Value format, Value channels) {
        if (!format.valid() || !channels.valid()) {
            return true; // the field itself is named
        }
        String f = format.json() == null || format.json().equals("null") ? "pcm" : unquote(format.json());
        long ch = channels.json() == null || channels.json().equals("null") ? 1 : Long.parseLong(channels.json());
        return (f.length() + (ch == 1 ? 0 : (";channels=" + ch).length())) <= 16;
    }

    // ---- resume -----------------------------------------------------------------------------------------------

    private void resume(Random r, String user, String where) throws Exception {
        Fields fields = new Fields(r);
        fields.put(
                "sessionId",
                () -> pick(
                        r,
                        new Value(quote(UUID.randomUUID().toString()), true),
                        new Value(quote("s".repeat(64)), true),
                        new Value(quote("s".repeat(65)), false),
                        new Value(quote("../../etc"), false),
                        new Value("12", false),
                        new Value(quote(""), false)));
        fields.put(
                "resumeToken",
                () -> pick(
                        r,
                        new Value(quote("abc.def"), true),
                        new Value(quote("r".repeat(512)), true),
                        new Value(quote("r".repeat(513)), false),
                        new Value(quote("a b"), false),
                        new Value("[]", false)));
        fields.put("lastIndex", () -> integer(r, -1, Integer.MAX_VALUE, -1, 0, 3));
        fields.put("nextSeq", () -> integer(r, 0, (1L << 53) - 1, 0, 17));
        fields.put(
                "token",
                () -> pick(
                        r,
                        new Value(null, true),
                        new Value(quote(token(user)), true),
                        new Value(quote("x".repeat(5000)), false)));
        String json = object("resume", fields);
        try (StreamingClient c = StreamingClient.connect(ws(token(user)))) {
            c.send(json);
            JsonNode answer = answer(c, where + " " + json);
            if (fields.values().stream().allMatch(Value::valid)) {
                assertThat(answer.path("code").asString())
                        .as(where + " " + json + " -> " + answer)
                        .isEqualTo("SESSION_NOT_FOUND");
            } else {
                assertBadRequestNaming(answer, fields, Set.of(), where + " " + json);
            }
            outcome("resume", answer.path("code").asString());
            assertStillServes(c, answer, where);
        }
    }

    // ---- end --------------------------------------------------------------------------------------------------

    private void end(Random r, String user, String where) throws Exception {
        Map<String, Value> extra = new LinkedHashMap<>();
        // end takes no fields: whatever else an old client sends along is ignored
        extra.put("userId", userId(r));
        extra.put(
                "sessionId",
                pick(r, new Value(null, true), new Value(quote("x".repeat(300)), true), new Value("1e400", true)));
        extra.put("seq", integer(r, Long.MIN_VALUE, Long.MAX_VALUE, 0));
        String json = object(r.nextBoolean() ? "end" : "stop", extra);
        try (StreamingClient c = StreamingClient.connect(ws(token(user)))) {
            boolean session = r.nextBoolean();
            if (session) {
                c.send("{\"type\":\"start\"}");
                c.await("started", WAIT);
            }
            c.send(json);
            c.send("{\"type\":\"ping\"}");
            c.await("pong", WAIT);
            List<JsonNode> errors = c.receivedOfType("error");
            if (session) {
                assertThat(errors).as(where + " " + json).isEmpty();
                outcome("end", "accepted");
            } else {
                assertThat(errors).as(where + " " + json).hasSize(1);
                assertThat(errors.get(0).path("code").asString()).isEqualTo("BAD_REQUEST");
                outcome("end", "BAD_REQUEST");
            }
        }
    }

    // ---- the upload form --------------------------------------------------------------------------------------

    private void upload(Random r, String user, String where) throws Exception {
        Fields fields = new Fields(r);
        fields.put("language", () -> text(r, 32, "en"));
        fields.put("engine", () -> text(r, 32, "vosk"));
        fields.put(
                "userId",
                () -> pick(
                        r,
                        new Value(null, true),
                        new Value("1", true),
                        new Value("u".repeat(128), true),
                        new Value("u".repeat(129), false)));
        fields.put(
                "token",
                () -> pick(r, new Value(null, true), new Value("x".repeat(4097), false), new Value("a<b", false)));
        for (String f : List.of("language", "engine")) {
            // form fields are text: a generated JSON string's content, or a number or literal as typed; judged as text
            String j = fields.get(f).json();
            String form = j == null || j.equals("null") ? null : j.startsWith("\"") ? unquote(j) : j;
            fields.put(f, new Value(form, form == null || form.matches("[A-Za-z0-9_-]{1,32}")));
        }
        boolean fieldsValid = fields.values().stream().allMatch(Value::valid);
        // never a request that would run (there is no worker here): a bad token or bad audio when the fields are fine
        int variant = r.nextInt(3);
        byte[] audio = switch (variant) {
            case 0 -> new byte[0];
            case 1 -> "RIFF\u0010\u0000\u0000\u0000WAVEjunk".getBytes(StandardCharsets.ISO_8859_1);
            default -> new byte[] {1, 2, 3};
        };
        String bearer = r.nextBoolean() ? token(user) : "not-a-token";
        String boundary = "----rv" + UUID.randomUUID();
        StringBuilder head = new StringBuilder();
        fields.forEach((k, v) -> {
            if (v.json() != null) {
                head.append("--")
                        .append(boundary)
                        .append("\r\nContent-Disposition: form-data; name=\"")
                        .append(k)
                        .append("\"\r\n\r\n")
                        .append(v.json())
                        .append("\r\n");
            }
        });
        head.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.")
                .append(variant == 2 ? "pcm" : "wav")
                .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/realtime-voice/recognize"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .header("Authorization", "Bearer " + bearer)
                        .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(
                                head.toString().getBytes(StandardCharsets.UTF_8),
                                audio,
                                ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String what = where + " upload " + fields + " audio variant " + variant;
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(what)
                .startsWith("application/json");
        JsonNode body = StreamingClient.JSON.readTree(response.body());
        assertThat(body.path("type").asString())
                .as(what + " -> " + response.body())
                .isEqualTo("error");
        String code = body.path("code").asString();
        if (!fieldsValid) {
            assertThat(response.statusCode())
                    .as(what + " -> " + response.body())
                    .isEqualTo(400);
            assertBadRequestNaming(body, fields, Set.of(), what);
        } else {
            assertThat(code).as(what + " -> " + response.body()).isIn("UNAUTHORIZED", "BAD_REQUEST");
        }
        assertThat(response.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
        outcome("upload", response.statusCode() + " " + code);
    }

    /**
     * The fields of one message, each drawn from its generator: in a third of the messages every field is within the
     * limits, in another third exactly one is not, in the rest each is whatever comes (mostly several breaches).
     */
    private static final class Fields extends LinkedHashMap<String, Value> {
        private final int mode;
        private final int broken;

        Fields(Random r) {
            this.mode = r.nextInt(3);
            this.broken = r.nextInt(6);
        }

        void put(String field, java.util.function.Supplier<Value> generator) {
            boolean wantValid = mode == 0 || (mode == 1 && size() != broken);
            boolean wantInvalid = mode == 1 && size() == broken;
            Value v = generator.get();
            for (int tries = 0; tries < 200 && ((wantValid && !v.valid()) || (wantInvalid && v.valid())); tries++) {
                v = generator.get();
            }
            put(field, v);
        }
    }

    // ---- generators -------------------------------------------------------------------------------------------

    @SafeVarargs
    private static <T> T pick(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** Integers at and around the limits, beyond int and long, and values of other types. */
    private static Value integer(Random r, long min, long max, long... typical) {
        BigInteger lo = BigInteger.valueOf(min);
        BigInteger hi = BigInteger.valueOf(max);
        List<BigInteger> candidates = new ArrayList<>(List.of(
                lo,
                hi,
                lo.subtract(BigInteger.ONE),
                hi.add(BigInteger.ONE),
                BigInteger.valueOf(Integer.MAX_VALUE),
                BigInteger.valueOf(Integer.MAX_VALUE).add(BigInteger.ONE),
                BigInteger.valueOf(Integer.MIN_VALUE),
                BigInteger.valueOf(Long.MAX_VALUE),
                TWO_63,
                TWO_63.negate().subtract(BigInteger.ONE),
                BigInteger.TEN.pow(30),
                BigInteger.valueOf(r.nextLong()),
                BigInteger.ZERO,
                BigInteger.valueOf(-1)));
        for (long t : typical) {
            candidates.add(BigInteger.valueOf(t));
            candidates.add(BigInteger.valueOf(t));
        }
        return switch (r.nextInt(8)) {
            case 0 -> pick(r, new Value(null, true), new Value("null", true));
            case 1 ->
                pick(
                        r,
                        new Value("1.5", false),
                        new Value("1e400", false),
                        new Value("\"16000\"", false),
                        new Value("true", false),
                        new Value("[1]", false),
                        new Value("{}", false),
                        new Value("-0.0", false));
            default -> {
                BigInteger v = candidates.get(r.nextInt(candidates.size()));
                yield new Value(v.toString(), v.compareTo(lo) >= 0 && v.compareTo(hi) <= 0);
            }
        };
    }

    /** Texts of [A-Za-z0-9_-] at and around a length limit, other characters, and values of other types. */
    private static Value text(Random r, int max, String... typical) {
        return switch (r.nextInt(6)) {
            case 0 -> pick(r, new Value(null, true), new Value("null", true));
            case 1 -> new Value(quote(pick(r, typical)), true);
            case 2 -> {
                int length = pick(r, 0, 1, max, max + 1, max * 4, 1 + r.nextInt(max));
                yield new Value(quote("a".repeat(length)), length >= 1 && length <= max);
            }
            case 3 ->
                new Value(
                        quote(pick(
                                r,
                                "<script>",
                                "en US",
                                "zh\\u0000",
                                "\u00e9",
                                "\ud83d\ude00",
                                "a/b",
                                "'; drop table x;--")),
                        false);
            default ->
                pick(
                        r,
                        new Value("42", false),
                        new Value("true", false),
                        new Value("{}", false),
                        new Value("[\"en\"]", false),
                        new Value(quote(pick(r, typical)), true));
        };
    }

    /** The old service's clients send userId as a number; any JSON scalar is admitted, up to 128 characters. */
    private static Value userId(Random r) {
        return pick(
                r,
                new Value(null, true),
                new Value("null", true),
                new Value("1", true),
                new Value("0", true),
                new Value("-3", true),
                new Value("1.25", true),
                new Value("123456789012345678901234567890", true),
                new Value("true", true),
                new Value("false", true),
                new Value(quote("alice"), true),
                new Value(quote("u".repeat(128)), true),
                new Value(quote("u".repeat(129)), false),
                new Value("{\"id\":1}", false),
                new Value("[1]", false));
    }

    // ---- assertions and plumbing ------------------------------------------------------------------------------

    private static JsonNode answer(StreamingClient c, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode m : c.received()) {
                String type = m.path("type").asString();
                if (type.equals("error") || type.equals("started") || type.equals("resumed")) {
                    if (type.equals("error")) {
                        assertThat(m.path("code").asString())
                                .as(what + " -> " + m)
                                .isIn(CODES);
                        assertThat(m.path("message").asString())
                                .as(what)
                                .isNotBlank()
                                .doesNotContain("Exception");
                    }
                    return m;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no answer within " + WAIT + " to " + what + "; received " + c.received());
    }

    /** A BAD_REQUEST whose message names one of the fields that broke the table (or one of {@code named}). */
    private static void assertBadRequestNaming(
            JsonNode answer, Map<String, Value> fields, Set<String> named, String what) {
        assertThat(answer.path("code").asString()).as(what + " -> " + answer).isEqualTo("BAD_REQUEST");
        List<String> breached = new ArrayList<>(named);
        fields.forEach((k, v) -> {
            if (!v.valid()) {
                breached.add(k);
            }
        });
        String message = answer.path("message").asString();
        assertThat(breached)
                .as(what + " -> " + message + ": the message names a breached field")
                .anyMatch(message::contains);
    }

    /** After an error that leaves the connection open, the same connection still answers; a closing one closes. */
    private static void assertStillServes(StreamingClient c, JsonNode answer, String where) throws Exception {
        if (answer.path("code").asString().equals("UNAUTHORIZED")) {
            return; // closed 1008, asserted by the caller
        }
        c.send("{\"type\":\"ping\"}");
        c.await("pong", WAIT);
        assertThat(c.isClosed()).as(where).isFalse();
    }

    private String ws(String token) {
        return "ws://localhost:" + port + "/api/realtime-voice/stream?token=" + token;
    }

    private String token(String user) {
        return tokens.issue(user, Duration.ofMinutes(5));
    }

    private static String object(String type, Map<String, Value> fields) {
        StringBuilder json = new StringBuilder("{\"type\":\"").append(type).append('"');
        fields.forEach((k, v) -> {
            if (v.json() != null) {
                json.append(",\"").append(k).append("\":").append(v.json());
            }
        });
        return json.append('}').toString();
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String unquote(String json) {
        return StreamingClient.JSON.readTree(json).asString();
    }

    private synchronized void outcome(String kind, String what) {
        outcomes.merge(kind + " | " + what, 1, Integer::sum);
    }

    private void writeTable(long ms, List<Long> rtts) throws Exception {
        StringBuilder md = new StringBuilder("| message | answer | cases |\n| --- | --- | --- |\n");
        outcomes.forEach((k, n) -> md.append("| ")
                .append(k.replace(" | ", " | `"))
                .append("` | ")
                .append(n)
                .append(" |\n"));
        md.append("\n")
                .append(CASES)
                .append(" cases (seed ")
                .append(SEED)
                .append(") in ")
                .append(ms)
                .append(" ms; no log event with a ")
                .append("stack trace; another client pinging meanwhile: ")
                .append(rtts.size())
                .append(" pongs, slowest ")
                .append(rtts.stream().mapToLong(Long::longValue).max().orElse(0))
                .append(" ms.\n");
        Path out = Path.of("target", "security", "client-input-property.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }
}
