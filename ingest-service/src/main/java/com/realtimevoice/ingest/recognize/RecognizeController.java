package com.realtimevoice.ingest.recognize;

import com.realtimevoice.auth.InvalidTokenException;
import com.realtimevoice.auth.TokenService;
import com.realtimevoice.events.AudioChunk;
import com.realtimevoice.events.SessionCompleted;
import com.realtimevoice.events.SessionEnded;
import com.realtimevoice.events.SessionFailed;
import com.realtimevoice.events.SessionStarted;
import com.realtimevoice.events.TranscriptFinal;
import com.realtimevoice.events.TranscriptPartial;
import com.realtimevoice.ingest.auth.Tokens;
import com.realtimevoice.ingest.config.IngestNode;
import com.realtimevoice.ingest.config.IngestProperties;
import com.realtimevoice.ingest.pipeline.AudioPublisher;
import com.realtimevoice.ingest.pipeline.AudioPublisher.PublishFailedException;
import com.realtimevoice.ingest.pipeline.LocalSessions;
import com.realtimevoice.ingest.pipeline.ResultSink;
import com.realtimevoice.ingest.stream.StreamSessions;
import com.realtimevoice.ingest.web.ApiError;
import com.realtimevoice.protocol.ClientLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * One-shot ("one sentence") recognition: the upload runs as a session through the same pipeline as a
 * stream (Kafka, worker, result-service, this node's delivery topic), so it is stored like any other.
 */
@RestController
class RecognizeController {

    private final TokenService tokens;
    private final AudioPublisher publisher;
    private final LocalSessions localSessions;
    private final IngestNode node;
    private final IngestProperties properties;
    private final StreamSessions sessions;

    RecognizeController(
            TokenService tokens,
            AudioPublisher publisher,
            LocalSessions localSessions,
            IngestNode node,
            IngestProperties properties,
            StreamSessions sessions) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.publisher = publisher;
        this.localSessions = localSessions;
        this.node = node;
        this.properties = properties;
    }

    @PostMapping("/api/realtime-voice/recognize")
    ResponseEntity<?> recognize(
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestParam(value = "token", required = false) String tokenParam,
            @RequestParam(value = "audio", required = false) MultipartFile audio,
            @RequestParam(value = "language", required = false) String language,
            @RequestParam(value = "engine", required = false) String engine,
            @RequestParam(value = "userId", required = false) String userIdField)
            throws IOException {
        // the form's fields against the stream's table of limits; a userId (the old service's form had one) is ignored
        String bad = formBreach(
                ClientLimits.TOKEN,
                tokenParam,
                ClientLimits.USER_ID,
                userIdField,
                ClientLimits.LANGUAGE,
                language,
                ClientLimits.ENGINE,
                engine);
        if (bad != null) {
            return ApiError.response(ApiError.BAD_REQUEST, bad);
        }
        String token = Tokens.fromAuthorizationHeader(authorization);
        String userId;
        try {
            userId = tokens.verify(token != null ? token : tokenParam).userId();
        } catch (InvalidTokenException e) {
            return ApiError.response(ApiError.UNAUTHORIZED, e.getMessage() + "; send Authorization: Bearer <token>");
        }
        if (audio == null) {
            return ApiError.response(
                    ApiError.BAD_REQUEST,
                    "multipart field 'audio' is required (wav, mp3 or raw 16 kHz 16-bit mono pcm)");
        }
        UploadedAudio upload;
        try {
            upload = UploadedAudio.parse(audio.getBytes(), audio.getOriginalFilename(), audio.getContentType());
        } catch (UploadedAudio.UnsupportedAudioException e) {
            return ApiError.response(e.badRequest ? ApiError.BAD_REQUEST : ApiError.UNSUPPORTED_FORMAT, e.getMessage());
        }
        // An upload is a session like a stream: it takes one of the user's concurrent-session slots while it runs.
        if (!sessions.tryAcquireSession(userId)) {
            return ApiError.response(
                    "RATE_LIMITED",
                    "too many concurrent sessions for this user (limit "
                            + properties.limits().maxSessionsPerUser()
                            + "), streams and uploads together; try again when one ends");
        }
        try {
            return run(userId, upload, language, engine);
        } finally {
            sessions.releaseSession(userId);
        }
    }

    /** Pairs of (limit, value): the first value outside its limit, as a reason naming the field; null if none. */
    private static String formBreach(Object... limitsAndValues) {
        for (int i = 0; i < limitsAndValues.length; i += 2) {
            if (limitsAndValues[i + 1] instanceof String value) {
                String bad = ((ClientLimits) limitsAndValues[i]).checkText(value);
                if (bad != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private ResponseEntity<?> run(String userId, UploadedAudio upload, String language, String engine) {
        String sessionId = UUID.randomUUID().toString();
        OneShotSink sink = new OneShotSink();
        localSessions.register(sessionId, sink);
        try {
            publisher.publishAndWait(new SessionStarted(
                    sessionId,
                    userId,
                    node.nodeId(),
                    node.deliveryTopic(),
                    upload.format(),
                    upload.sampleRate(),
                    language,
                    engine,
                    false,
                    true,
                    System.currentTimeMillis()));
            byte[] pcm = upload.audio();
            int step = properties.limits().chunkBytesForUploads();
            long seq = 0;
            for (int offset = 0; offset < pcm.length; offset += step) {
                byte[] chunk = java.util.Arrays.copyOfRange(pcm, offset, Math.min(pcm.length, offset + step));
                publisher.publish(new AudioChunk(
                        sessionId,
                        seq++,
                        offset,
                        upload.format(),
                        upload.sampleRate(),
                        System.currentTimeMillis(),
                        chunk));
            }
            publisher.publishAndWait(
                    new SessionEnded(sessionId, seq - 1, pcm.length, "end", System.currentTimeMillis()));
            SessionCompleted completed =
                    sink.completion.get(properties.recognizeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("sessionId", sessionId);
            body.put("text", completed.text() == null ? "" : completed.text());
            body.put("segments", sink.segments());
            body.put("durationMs", upload.durationMs());
            return ResponseEntity.ok(body);
        } catch (PublishFailedException e) {
            return ApiError.response(
                    ApiError.OVERLOADED, "the audio could not be queued for recognition: " + e.getMessage());
        } catch (TimeoutException e) {
            return ApiError.response(
                    ApiError.TIMEOUT,
                    "no transcript within " + properties.recognizeTimeout().toSeconds() + " s; session " + sessionId
                            + " may still complete: GET /api/sessions/" + sessionId);
        } catch (ExecutionException e) {
            SessionFailed failed = e.getCause() instanceof OneShotFailure f ? f.failed : null;
            return failed != null
                    ? ApiError.response(failed.code(), failed.message())
                    : ApiError.response(ApiError.INTERNAL, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiError.response(ApiError.INTERNAL, "interrupted");
        } finally {
            localSessions.unregister(sessionId);
        }
    }

    private static final class OneShotFailure extends Exception {
        final transient SessionFailed failed;

        OneShotFailure(SessionFailed failed) {
            super(failed.code() + ": " + failed.message());
            this.failed = failed;
        }
    }

    /** Collects the finals of an upload and completes when the session does. */
    private static final class OneShotSink implements ResultSink {

        final CompletableFuture<SessionCompleted> completion = new CompletableFuture<>();
        private final List<TranscriptFinal> finals = new ArrayList<>();

        @Override
        public void onPartial(TranscriptPartial partial) {}

        @Override
        public synchronized void onFinal(TranscriptFinal fin) {
            finals.removeIf(f -> f.index() == fin.index()); // a re-sent final replaces the earlier one
            finals.add(fin);
        }

        @Override
        public void onCompleted(SessionCompleted completed) {
            completion.complete(completed);
        }

        @Override
        public void onFailed(SessionFailed failed) {
            completion.completeExceptionally(new OneShotFailure(failed));
        }

        synchronized List<Map<String, Object>> segments() {
            return finals.stream()
                    .sorted(java.util.Comparator.comparingInt(TranscriptFinal::index))
                    .map(f -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("index", f.index());
                        m.put("text", f.text());
                        m.put("startMs", f.startMs());
                        m.put("endMs", f.endMs());
                        return m;
                    })
                    .toList();
        }
    }
}
