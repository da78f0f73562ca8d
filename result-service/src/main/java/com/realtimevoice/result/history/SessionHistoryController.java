package com.realtimevoice.result.history;

import com.realtimevoice.auth.VerifiedToken;
import com.realtimevoice.result.transcript.Deletion;
import com.realtimevoice.result.transcript.SessionSummary;
import com.realtimevoice.result.transcript.Transcript;
import com.realtimevoice.result.transcript.TranscriptStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Transcript history, to the session's owner only: someone else's session answers exactly like a missing one. */
@RestController
class SessionHistoryController {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    /** The export formats of {@code GET /api/sessions/{id}?format=}, with their media types. */
    enum Format {
        JSON(MediaType.APPLICATION_JSON),
        SRT(new MediaType("application", "x-subrip", StandardCharsets.UTF_8)),
        VTT(new MediaType("text", "vtt", StandardCharsets.UTF_8)),
        TXT(new MediaType("text", "plain", StandardCharsets.UTF_8));

        final MediaType mediaType;

        Format(MediaType mediaType) {
            this.mediaType = mediaType;
        }

        static Format parse(String value) {
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(value)) {
                    return format;
                }
            }
            throw new BadRequestException("format must be one of json, srt, vtt, txt");
        }
    }

    private final BearerAuthenticator authenticator;
    private final TranscriptStore store;
    private final LiveSessionDeletion deletions;

    SessionHistoryController(BearerAuthenticator authenticator, TranscriptStore store, LiveSessionDeletion deletions) {
        this.deletions = deletions;
        this.authenticator = authenticator;
        this.store = store;
    }

    @GetMapping("/api/sessions")
    SessionList sessions(
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String before,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        int pageSize = limit(limit);
        SessionCursor cursor = before == null || before.isEmpty() ? null : SessionCursor.decode(before);
        // one more than asked: a full page says whether there is a next one, so the last page never comes back empty
        List<SessionSummary> found = store.listSessions(
                caller.userId(),
                cursor == null ? null : cursor.startedAt(),
                cursor == null ? null : cursor.sessionId(),
                pageSize + 1);
        List<SessionSummary> page = found.subList(0, Math.min(pageSize, found.size()));
        String next = found.size() > pageSize
                ? new SessionCursor(
                                page.get(page.size() - 1).startedAt(),
                                page.get(page.size() - 1).sessionId())
                        .encode()
                : null;
        return new SessionList(page.stream().map(SessionList.Item::of).toList(), next);
    }

    @GetMapping("/api/sessions/{id}")
    ResponseEntity<?> session(
            @PathVariable String id,
            @RequestParam(required = false) String format,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        Format as = format == null || format.isEmpty() ? Format.JSON : Format.parse(format);
        Transcript transcript = store.findTranscript(id)
                .filter(t -> t.userId().equals(caller.userId()))
                .orElseThrow(() -> new SessionNotFoundException(id));
        if (as == Format.JSON) {
            return ResponseEntity.ok().contentType(as.mediaType).body(SessionHistory.of(transcript));
        }
        String body = switch (as) {
            case SRT -> Captions.srt(transcript.segments());
            case VTT -> Captions.vtt(transcript.segments());
            default -> Captions.txt(transcript.segments());
        };
        return ResponseEntity.ok()
                .contentType(as.mediaType)
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename(
                                        transcript.sessionId() + "." + as.name().toLowerCase(Locale.ROOT))
                                .build()
                                .toString())
                .body(body);
    }

    @DeleteMapping("/api/sessions/{id}")
    ResponseEntity<Void> delete(
            @PathVariable String id,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        VerifiedToken caller = authenticator.authenticate(authorization);
        Deletion deletion = deletions.delete(id, caller.userId());
        return switch (deletion) {
            case DELETED -> ResponseEntity.noContent().build();
            case NOT_FOUND -> throw new SessionNotFoundException(id);
            case LIVE -> throw new SessionLiveException(id);
        };
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("limit must be an integer from 1 to " + MAX_LIMIT);
    }
}
