package com.realtimevoice.worker.engine.tencent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local stand-in for the Tencent Cloud API 3.0 endpoint of ASR ({@code asr.tencentcloudapi.com}), faithful where
 * the worker depends on it:
 * <ul>
 * <li>every request's TC3-HMAC-SHA256 signature is recomputed from the request as received (canonical request over
 *     the signed headers and the payload's SHA-256, credential scope {@code date/asr/tc3_request}, the derived
 *     signing key) and compared, as the service does: unknown SecretId -> {@code AuthFailure.SecretIdNotFound}, a
 *     timestamp more than 5 minutes from the fake's clock -> {@code AuthFailure.SignatureExpire}, anything else that
 *     does not match (wrong SecretKey, altered body, wrong service or date in the scope) ->
 *     {@code AuthFailure.SignatureFailure};</li>
 * <li>SentenceRecognition's parameters are checked (SubServiceType 2, a known EngSerViceType, SourceType 1 with
 *     Data and a DataLen that matches, a VoiceFormat it knows, at most 60 s and 3 MB of audio) and answered with
 *     Result, AudioDuration, WordSize, WordList and RequestId, or the service's error codes; DescribeTaskStatus of
 *     an unknown task answers {@code FailedOperation.NoSuchTask};</li>
 * <li>API errors come as HTTP 200 with {@code Response.Error}, as the real service sends them; it can also be told
 *     to answer HTTP 5xx, to be slow, or to fail the next requests with a given code.</li>
 * </ul>
 * What it "recognises": by default the text of a {@link #recogniser} the test supplies (the tests here run the
 * repository's Vosk model on the audio actually received, WAV or MP3, so the words prove the audio got through);
 * or a scripted text.
 */
public final class FakeTencentAsr implements AutoCloseable {

    public static final String SECRET_ID = "AKIDfakeTencentSecretId000000000000";
    public static final String SECRET_KEY = "fakeTencentSecretKey0000000000000";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern AUTH = Pattern.compile(
            "TC3-HMAC-SHA256 Credential=([^/]+)/(\\d{4}-\\d{2}-\\d{2})/([^/]+)/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final Set<String> MODELS = Set.of(
            "8k_zh",
            "8k_en",
            "16k_zh",
            "16k_en",
            "16k_yue",
            "16k_ja",
            "16k_ko",
            "16k_zh_dialect",
            "16k_zh-PY",
            "16k_zh_medical");
    private static final Set<String> FORMATS =
            Set.of("wav", "pcm", "ogg-opus", "speex", "silk", "mp3", "m4a", "aac", "amr");

    /** What the fake got: action, parameters (Data replaced by its decoded length) and the answer's code. */
    public record Received(String action, Map<String, Object> params, byte[] audio, String outcome, String thread) {}

    /** Recognises audio the fake received: (voice format, bytes, model) -> text. */
    @FunctionalInterface
    public interface Recogniser {
        Recognised recognise(String voiceFormat, byte[] audio, String model);
    }

    /** @param words word timings in ms from the start of the audio, may be empty */
    public record Recognised(String text, long durationMs, List<Word> words) {}

    public record Word(String word, long startMs, long endMs) {}

    private final HttpServer server;
    private final Map<String, String> keys = new LinkedHashMap<>(Map.of(SECRET_ID, SECRET_KEY));
    private final Deque<String> scriptedErrors = new ConcurrentLinkedDeque<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicLong clockSkewSeconds = new AtomicLong();
    private volatile Recogniser recogniser = (format, audio, model) -> new Recognised("", 0, List.of());
    private volatile long delayMs;
    private volatile Function<Received, Long> delayFor = r -> 0L;
    private volatile int failStatus;

    public FakeTencentAsr() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-tencent");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** {@code 127.0.0.1:port}: where the SDK's HTTP proxy setting points, with endpoint asr.tencentcloudapi.com over http://. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public FakeTencentAsr recogniser(Recogniser r) {
        this.recogniser = r;
        return this;
    }

    public FakeTencentAsr scriptedText(String text) {
        return recogniser((f, a, m) -> new Recognised(text, 1000, List.of()));
    }

    /** The next requests fail with these API error codes, one each, in order. */
    public FakeTencentAsr failNext(String... codes) {
        scriptedErrors.addAll(List.of(codes));
        return this;
    }

    /** Every request answers this HTTP status (0: normal again). */
    public FakeTencentAsr failWithStatus(int status) {
        this.failStatus = status;
        return this;
    }

    public FakeTencentAsr slow(long millis) {
        this.delayMs = millis;
        return this;
    }

    /** A delay chosen per request (e.g. slow for one segment only). */
    public FakeTencentAsr slowWhen(Function<Received, Long> delay) {
        this.delayFor = delay;
        return this;
    }

    /** The fake's clock runs this far from the machine's (to test SignatureExpire). */
    public FakeTencentAsr skewClock(long seconds) {
        clockSkewSeconds.set(seconds);
        return this;
    }

    public List<Received> received() {
        return received;
    }

    public List<Received> recognitions() {
        return received.stream()
                .filter(r -> r.action().equals("SentenceRecognition"))
                .toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String requestId = UUID.randomUUID().toString();
        String action = header(exchange, "X-TC-Action");
        Map<String, Object> params = new LinkedHashMap<>();
        byte[] audio = null;
        String outcome;
        Map<String, Object> response;
        try {
            if (failStatus != 0) {
                outcome = "HTTP " + failStatus;
                record(action, params, null, outcome);
                send(
                        exchange,
                        failStatus,
                        ("<html><body>" + failStatus + " Service Unavailable</body></html>")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            verifySignature(exchange, body);
            JsonNode json = JSON.readTree(body);
            json.properties()
                    .forEach(e -> params.put(
                            e.getKey(),
                            e.getKey().equals("Data")
                                    ? "<" + e.getValue().asString().length() + " base64 chars>"
                                    : e.getValue().toString()));
            String scripted = scriptedErrors.poll();
            if (scripted != null) {
                throw new ApiError(scripted, message(scripted));
            }
            if ("SentenceRecognition".equals(action)) {
                audio = audio(json);
                Received r = new Received(
                        action, params, audio, "", Thread.currentThread().getName());
                long wait = delayMs + delayFor.apply(r);
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                response = sentenceRecognition(json, audio, requestId);
                outcome = "OK";
            } else if ("DescribeTaskStatus".equals(action)) {
                throw new ApiError(
                        "FailedOperation.NoSuchTask",
                        "task " + json.path("TaskId").asLong() + " does not exist");
            } else {
                throw new ApiError("InvalidAction", "the action " + action + " does not exist");
            }
        } catch (ApiError e) {
            outcome = e.code;
            response = Map.of("Error", Map.of("Code", e.code, "Message", e.getMessage()), "RequestId", requestId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
            response =
                    Map.of("Error", Map.of("Code", "InternalError", "Message", "interrupted"), "RequestId", requestId);
        } catch (RuntimeException e) {
            outcome = "InvalidParameter";
            response = Map.of(
                    "Error",
                    Map.of("Code", "InvalidParameter.ErrorParsequest", "Message", String.valueOf(e.getMessage())),
                    "RequestId",
                    requestId);
        }
        record(action, params, audio, outcome);
        send(exchange, 200, JSON.writeValueAsBytes(Map.of("Response", response)));
    }

    private void record(String action, Map<String, Object> params, byte[] audio, String outcome) {
        received.add(new Received(
                action, params, audio, outcome, Thread.currentThread().getName()));
    }

    /** TC3-HMAC-SHA256, recomputed from what arrived. */
    private void verifySignature(HttpExchange exchange, byte[] body) {
        String authorization = header(exchange, "Authorization");
        if (authorization == null) {
            throw new ApiError("AuthFailure.SignatureFailure", "the request has no Authorization header");
        }
        Matcher m = AUTH.matcher(authorization);
        if (!m.matches()) {
            throw new ApiError("AuthFailure.InvalidAuthorization", "Authorization does not follow TC3-HMAC-SHA256");
        }
        String secretId = m.group(1);
        String date = m.group(2);
        String service = m.group(3);
        String signedHeaders = m.group(4);
        String signature = m.group(5);
        String secretKey = keys.get(secretId);
        if (secretKey == null) {
            throw new ApiError(
                    "AuthFailure.SecretIdNotFound",
                    "The SecretId is not found, please ensure that your SecretId is correct.");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(header(exchange, "X-TC-Timestamp"));
        } catch (RuntimeException e) {
            throw new ApiError("AuthFailure.SignatureFailure", "X-TC-Timestamp is missing or not a number");
        }
        long now = Instant.now().getEpochSecond() + clockSkewSeconds.get();
        if (Math.abs(now - timestamp) > 300) {
            throw new ApiError(
                    "AuthFailure.SignatureExpire",
                    "Signature expired. Timestamp and server time cannot differ by more than five minutes.");
        }
        if (!"asr".equals(service)
                || !date.equals(DateTimeFormatter.ISO_LOCAL_DATE
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.ofEpochSecond(timestamp)))) {
            throw new ApiError(
                    "AuthFailure.SignatureFailure",
                    "The provided credentials could not be validated (credential scope " + date + "/" + service + ").");
        }
        if (!List.of(signedHeaders.split(";")).contains("content-type")
                || !List.of(signedHeaders.split(";")).contains("host")) {
            throw new ApiError("AuthFailure.SignatureFailure", "SignedHeaders must include content-type and host");
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders.split(";")) {
            String value = header(exchange, name);
            canonicalHeaders
                    .append(name)
                    .append(':')
                    .append(value == null ? "" : value.strip().toLowerCase(Locale.ROOT))
                    .append('\n');
        }
        String canonicalRequest = exchange.getRequestMethod() + "\n" + "/" + "\n" + rawQuery(exchange) + "\n"
                + canonicalHeaders + "\n" + signedHeaders + "\n" + sha256Hex(body);
        String scope = date + "/" + service + "/tc3_request";
        String stringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] secretDate = hmac(("TC3" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        byte[] secretService = hmac(secretDate, service);
        byte[] secretSigning = hmac(secretService, "tc3_request");
        String expected = HexFormat.of().formatHex(hmac(secretSigning, stringToSign));
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiError(
                    "AuthFailure.SignatureFailure",
                    "The provided credentials could not be validated. Please check your signature is correct.");
        }
    }

    private static String rawQuery(HttpExchange exchange) {
        String q = exchange.getRequestURI().getRawQuery();
        return q == null ? "" : q;
    }

    private byte[] audio(JsonNode json) {
        for (String required : List.of("EngSerViceType", "SourceType", "VoiceFormat")) {
            if (!json.has(required)) {
                throw new ApiError("MissingParameter", "the parameter " + required + " is missing");
            }
        }
        if (json.has("SubServiceType") && json.get("SubServiceType").asLong() != 2) {
            throw new ApiError("InvalidParameterValue.ErrorInvalidSubservicetype", "SubServiceType must be 2");
        }
        if (!MODELS.contains(json.get("EngSerViceType").asString())) {
            throw new ApiError(
                    "InvalidParameterValue.ErrorInvalidEngservice",
                    "EngSerViceType " + json.get("EngSerViceType").asString() + " is not valid");
        }
        if (!FORMATS.contains(json.get("VoiceFormat").asString())) {
            throw new ApiError(
                    "InvalidParameterValue.ErrorInvalidVoiceFormat",
                    "VoiceFormat " + json.get("VoiceFormat").asString() + " is not valid");
        }
        if (json.get("SourceType").asLong() != 1) {
            throw new ApiError(
                    "InvalidParameterValue.ErrorInvalidSourcetype",
                    "this fake serves SourceType 1 (audio in the body) only");
        }
        if (!json.has("Data") || !json.has("DataLen")) {
            throw new ApiError(
                    "InvalidParameter.ErrorParamsMissing", "Data and DataLen are required with SourceType 1");
        }
        byte[] audio;
        try {
            audio = Base64.getDecoder().decode(json.get("Data").asString());
        } catch (IllegalArgumentException e) {
            throw new ApiError("InvalidParameterValue.ErrorInvalidVoicedata", "Data is not base64");
        }
        if (audio.length != json.get("DataLen").asLong()) {
            throw new ApiError(
                    "InvalidParameter.ErrorContentlength",
                    "DataLen " + json.get("DataLen").asLong() + " is not the length of Data (" + audio.length + ")");
        }
        if (audio.length > 3 * 1024 * 1024) {
            throw new ApiError("InvalidParameterValue.ErrorVoicedataTooLong", "audio data over 3 MB");
        }
        return audio;
    }

    private Map<String, Object> sentenceRecognition(JsonNode json, byte[] audio, String requestId) {
        String format = json.get("VoiceFormat").asString();
        String model = json.get("EngSerViceType").asString();
        if (format.equals("wav")) {
            int rate = wavRate(audio);
            int modelRate = model.startsWith("8k") ? 8000 : 16000;
            long ms = (audio.length - 44) / 2 * 1000L / Math.max(1, rate);
            if (ms > 60_000) {
                throw new ApiError("InvalidParameterValue.ErrorVoicedataTooLong", "audio longer than 60 s");
            }
            if (rate != modelRate) {
                throw new ApiError(
                        "FailedOperation.ErrorRecognize",
                        "audio at " + rate + " Hz for the " + modelRate + " Hz model " + model);
            }
        }
        Recognised r = recogniser.recognise(format, audio, model);
        if (r.durationMs() > 60_000) {
            throw new ApiError("InvalidParameterValue.ErrorVoicedataTooLong", "audio longer than 60 s");
        }
        boolean wantWords = json.has("WordInfo") && json.get("WordInfo").asLong() > 0;
        List<Map<String, Object>> words = new ArrayList<>();
        if (wantWords) {
            for (Word w : r.words()) {
                words.add(Map.of("Word", w.word(), "StartTime", w.startMs(), "EndTime", w.endMs()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Result", r.text());
        out.put("AudioDuration", r.durationMs());
        out.put("WordSize", wantWords ? words.size() : 0);
        out.put("WordList", wantWords ? words : null);
        out.put("RequestId", requestId);
        return out;
    }

    private static int wavRate(byte[] wav) {
        if (wav.length < 44 || wav[0] != 'R' || wav[1] != 'I' || wav[8] != 'W') {
            throw new ApiError(
                    "FailedOperation.ErrorRecognize", "VoiceFormat wav but the data has no RIFF/WAVE header");
        }
        return ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
    }

    private static String message(String code) {
        return switch (code) {
            case "RequestLimitExceeded" ->
                "Your current request times equals to `20` in a second, which exceeds the frequency limit `20` for a second.";
            case "InternalError" -> "An internal error has occurred. Retry your request.";
            case "FailedOperation.ErrorRecognize" -> "Recognition failed.";
            case "AuthFailure.SignatureFailure" -> "The provided credentials could not be validated.";
            default -> code;
        };
    }

    private static String header(HttpExchange exchange, String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static final class ApiError extends RuntimeException {
        final String code;

        ApiError(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
