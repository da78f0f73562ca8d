package com.realtimevoice.result.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionCursorTest {

    @Test
    void aCursorDecodesToWhatItWasMadeFrom() {
        SessionCursor cursor = new SessionCursor(Instant.ofEpochMilli(1_700_000_000_123L), "a".repeat(64));
        assertThat(cursor.encode().length()).isLessThanOrEqualTo(SessionCursor.MAX_LENGTH);
        assertThat(SessionCursor.decode(cursor.encode())).isEqualTo(cursor);
    }

    @Test
    void anythingElseIsABadRequestNamingBefore() {
        for (String bad :
                new String[] {"%%%", "MTIz", "Omlk", "MTIzOg", "eDppZA", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTppZA"}) {
            assertThatThrownBy(() -> SessionCursor.decode(bad))
                    .isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("before");
        }
    }
}
