package com.realtimevoice.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.auth.VerifiedToken;
import com.realtimevoice.protocol.ClientLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The table of client limits matches where the values end up: every text stored by result-service is at most its
 * column (read from the migrations, so a column change that the edge misses fails here). Writes the table to
 * target/client-limits.md, the one in docs/protocol.md.
 */
class ClientLimitsTest {

    @Test
    void textLimitsMatchTheColumnsTheValuesAreStoredIn() throws Exception {
        Map<String, Integer> columns = varcharColumns("transcript_session");
        assertThat((long) ClientLimits.FORMAT.max).isEqualTo((long) columns.get("format"));
        assertThat((long) ClientLimits.LANGUAGE.max).isEqualTo((long) columns.get("language"));
        assertThat((long) ClientLimits.ENGINE.max).isEqualTo((long) columns.get("engine"));
        assertThat((long) ClientLimits.SESSION_ID.max).isEqualTo((long) columns.get("id"));
        assertThat((long) ClientLimits.USER_ID.max).isEqualTo((long) columns.get("user_id"));
        assertThat(VerifiedToken.MAX_SUBJECT_CHARS)
                .as("a token's subject is the stored user id")
                .isEqualTo(columns.get("user_id"));
        assertThat((long) ClientLimits.LAST_INDEX.max).as("seg_index is an INT").isEqualTo((long) Integer.MAX_VALUE);
        assertThat((long) ClientLimits.SAMPLE_RATE.max).isLessThanOrEqualTo((long) Integer.MAX_VALUE);
        assertThat(StreamFormat.RATES)
                .allMatch(r -> r >= ClientLimits.SAMPLE_RATE.min && r <= ClientLimits.SAMPLE_RATE.max);
        assertThat((long) "pcm;channels=2".length())
                .as("the longest supported format fits")
                .isLessThanOrEqualTo(ClientLimits.FORMAT.max);
        // a resume token of the longest user id and format fits its limit
        String longest = new ResumeTokensAccess().issueLongest();
        assertThat((long) longest.length()).isLessThanOrEqualTo(ClientLimits.RESUME_TOKEN.max);
        assertThat(ClientLimits.RESUME_TOKEN.checkText(longest)).isNull();

        Path out = Path.of("target", "client-limits.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, ClientLimits.markdown());
    }

    private static Map<String, Integer> varcharColumns(String table) throws Exception {
        Path migrations = repoRoot().resolve("result-service/src/main/resources/db/migration");
        StringBuilder sql = new StringBuilder();
        try (var files = Files.list(migrations)) {
            for (Path f : files.sorted().toList()) {
                sql.append(Files.readString(f)).append('\n');
            }
        }
        Matcher create = Pattern.compile("CREATE TABLE " + table + " \\((.*?)\\n\\)", Pattern.DOTALL)
                .matcher(sql);
        assertThat(create.find()).as("CREATE TABLE " + table).isTrue();
        Map<String, Integer> columns = new HashMap<>();
        Matcher column = Pattern.compile("^\\s*(\\w+)\\s+VARCHAR\\((\\d+)\\)", Pattern.MULTILINE)
                .matcher(create.group(1));
        while (column.find()) {
            columns.put(column.group(1), Integer.parseInt(column.group(2)));
        }
        return columns;
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("result-service/src/main/resources/db/migration"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found");
    }

    /** A resume token for the longest user id and format the limits allow. */
    private static final class ResumeTokensAccess {
        String issueLongest() {
            ResumeTokens tokens = new ResumeTokens(
                    new com.realtimevoice.ingest.auth.NodeSecret(new com.realtimevoice.ingest.config.IngestProperties(
                            null,
                            null,
                            new com.realtimevoice.ingest.config.IngestProperties.Auth(
                                    "HS256",
                                    "0123456789abcdef0123456789abcdef",
                                    null,
                                    null,
                                    null,
                                    "i",
                                    "a",
                                    java.time.Duration.ZERO,
                                    java.time.Duration.ZERO),
                            null,
                            new com.realtimevoice.ingest.config.IngestProperties.Reliability(
                                    null, java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ZERO),
                            null,
                            null,
                            null,
                            null,
                            "x")));
            return tokens.issue(new ResumeTokens.Claims(
                    java.util.UUID.randomUUID().toString(), "u".repeat(128), "f".repeat(16), 384_000, Long.MAX_VALUE));
        }
    }
}
