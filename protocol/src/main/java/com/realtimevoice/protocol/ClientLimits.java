package com.realtimevoice.protocol;

import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The one table of limits for every value a client controls, checked at the edge (the control-message parser and
 * the upload form) so that nothing reaches Kafka that the worker, result-service or the database would refuse: a
 * text is at most as long as the column it is stored in (result-service's db/migration, checked by ingest-service's
 * ClientLimitsTest), an integer is inside the range of the field that carries it. A breach is {@code BAD_REQUEST}
 * naming the field. A value inside its range the product does not support (a sample rate of 7, {@code ogg}) is
 * {@code UNSUPPORTED_FORMAT} further on.
 *
 * <p>It lives in the protocol module so that clients can check a value before they send it.
 */
public enum ClientLimits {
    TOKEN(
            "token",
            "start, resume, upload form",
            1,
            4096,
            "[A-Za-z0-9._~+/= -]+",
            "a JWT; 4 KB holds any sensible one (the subject, 128 characters at most, is checked when it is verified)"),
    USER_ID(
            "userId",
            "start (ignored), upload form (ignored)",
            0,
            128,
            null,
            "any JSON scalar, as the old service took it; informational (the token's subject is the user); "
                    + "as text at most transcript_session.user_id VARCHAR(128)"),
    FORMAT(
            "format",
            "start",
            1,
            16,
            "[A-Za-z0-9;=._/+ -]+",
            "transcript_session.format VARCHAR(16), with `channels` folded in (`pcm;channels=2`)"),
    CHANNELS("channels", "start", 1, 255, null, "an integer; 1 or 2 are supported, others UNSUPPORTED_FORMAT"),
    SAMPLE_RATE(
            "sampleRate",
            "start",
            1,
            384_000,
            null,
            "an integer (transcript_session.sample_rate INT); the listed rates are supported, others UNSUPPORTED_FORMAT"),
    LANGUAGE("language", "start, upload form", 1, 32, "[A-Za-z0-9_-]+", "transcript_session.language VARCHAR(32)"),
    ENGINE("engine", "start, upload form", 1, 32, "[A-Za-z0-9_-]+", "transcript_session.engine VARCHAR(32)"),
    SESSION_ID("sessionId", "resume", 1, 64, "[A-Za-z0-9_-]+", "transcript_session.id VARCHAR(64)"),
    RESUME_TOKEN(
            "resumeToken",
            "resume",
            1,
            512,
            "[A-Za-z0-9_.-]+",
            "base64url of the session id, user id (128), format and rate, plus an HMAC: under 400 characters"),
    LAST_INDEX("lastIndex", "resume", -1, Integer.MAX_VALUE, null, "transcript_segment.seg_index INT; -1 for none"),
    NEXT_SEQ(
            "nextSeq",
            "resume",
            0,
            (1L << 53) - 1,
            null,
            "chunk seq (a long); JavaScript's largest safe integer, so it can grow without overflowing"),
    ENDPOINTING_MS(
            "endpointingMs",
            "start",
            100,
            5000,
            null,
            "milliseconds of silence that end a segment; a whole number written as 800.0 is taken too");

    /** The JSON field (or form field) name, as errors name it. */
    public final String field;

    final String where;
    /** Characters for texts, values for integers. */
    public final long min;

    public final long max;
    private final Pattern pattern;
    final String why;

    ClientLimits(String field, String where, long min, long max, String pattern, String why) {
        this.field = field;
        this.where = where;
        this.min = min;
        this.max = max;
        this.pattern = pattern == null ? null : Pattern.compile(pattern);
        this.why = why;
    }

    public boolean isInteger() {
        return this == CHANNELS
                || this == SAMPLE_RATE
                || this == LAST_INDEX
                || this == NEXT_SEQ
                || this == ENDPOINTING_MS;
    }

    /** @return why this text is refused (naming the field), or null if it is within the limits */
    public String checkText(String value) {
        if (value.length() < min || value.length() > max) {
            return "`" + field + "` must be " + (min == max ? max : min + "-" + max) + " characters, got "
                    + value.length();
        }
        if (pattern != null && !pattern.matcher(value).matches()) {
            return "`" + field + "` must be characters of "
                    + pattern.pattern().substring(0, pattern.pattern().length() - 1);
        }
        return null;
    }

    /**
     * @return why this JSON value is refused (naming the field), or null if it is within the limits. A JSON null
     * counts as absent and is accepted. Integers beyond int/long range are refused here, never converted.
     */
    public String check(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (isInteger()) {
            if (this == ENDPOINTING_MS
                    && value.isFloatingPointNumber()
                    && value.doubleValue() == Math.rint(value.doubleValue())
                    && Math.abs(value.doubleValue()) < 1e15) {
                value = tools.jackson.databind.node.LongNode.valueOf(
                        (long) value.doubleValue()); // 800.0 from a float-only client
            }
            if (!value.isIntegralNumber()) {
                return "`" + field + "` must be an integer";
            }
            if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
                return "`" + field + "` must be an integer from " + min + " to " + max + ", got "
                        + abbreviate(value.toString());
            }
            return null;
        }
        if (this == USER_ID) {
            if (!value.isValueNode()) {
                return "`userId` must be a JSON scalar (string, number, true/false or null)";
            }
            String text = value.isString() ? value.asString() : value.toString();
            return text.length() > max ? "`userId` must be at most " + max + " characters, got " + text.length() : null;
        }
        if (!value.isString()) {
            return "`" + field + "` must be a string";
        }
        return checkText(value.asString());
    }

    /** The integer value of a checked field, or {@code absent} if the field is missing or null. */
    public static long integer(JsonNode value, long absent) {
        return value == null || value.isNull()
                ? absent
                : value.isFloatingPointNumber() ? (long) value.doubleValue() : value.longValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** The table as markdown, for docs/protocol.md (ingest-service's ClientLimitsTest writes it to target/client-limits.md). */
    public static String markdown() {
        StringBuilder md = new StringBuilder("| field | in | limit | why |\n| --- | --- | --- | --- |\n");
        for (ClientLimits l : values()) {
            String limit = l.isInteger()
                    ? "integer " + l.min + " to " + l.max
                    : (l.min == 0 ? "at most " + l.max : l.min + "-" + l.max) + " characters"
                            + (l.pattern == null ? "" : " of `" + l.pattern.pattern() + "`");
            md.append("| `")
                    .append(l.field)
                    .append("` | ")
                    .append(l.where)
                    .append(" | ")
                    .append(limit)
                    .append(" | ")
                    .append(l.why)
                    .append(" |\n");
        }
        // the start's list and choices, checked by RecognitionOptions
        md.append("| `hotwords` | start | at most ")
                .append(RecognitionOptions.MAX_HOTWORDS)
                .append(" strings, each 1-")
                .append(RecognitionOptions.MAX_HOTWORD_CHARS)
                .append(" characters (stripped) | travel in the session's start event; "
                        + "Tencent takes at most 128 temporary hotwords |\n");
        md.append(
                "| `punctuation`, `numbers`, `profanity` | start | `true`/`false`; `words`/`digits`; `keep`/`mask`/`remove` "
                        + "| case-insensitive for the strings |\n");
        return md.toString();
    }
}
