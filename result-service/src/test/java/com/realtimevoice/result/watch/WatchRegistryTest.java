package com.realtimevoice.result.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.events.Topics;
import com.realtimevoice.result.transcript.Route;
import com.realtimevoice.result.transcript.StoreTest;
import com.realtimevoice.result.transcript.TranscriptStore;
import com.realtimevoice.testsupport.TestDatabase;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Watch registrations and epochs against the real MariaDB (H2 without one, except under CI=true). */
@DataJpaTest(properties = "spring.config.name=result-service")
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import(TranscriptStore.class)
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class WatchRegistryTest extends StoreTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    static final Route NODE_B = new Route("node-b", Topics.delivery("node-b"));

    private String started(String user) {
        String id = UUID.randomUUID().toString();
        recordStarted(id, user, 1_700_000_000_000L);
        return id;
    }

    @Test
    void nodesAreRegisteredOnceEachSurviveANewInstanceAndGoWithTheirSession() {
        String id = started("owner");
        WatchRegistry registry = new WatchRegistry(jdbc, 10);
        registry.sessionStarted(id);
        assertThat(registry.watchingNodes(id)).isEmpty();

        assertThat(registry.register(id, NODE_B)).isTrue();
        assertThat(registry.register(id, NODE_B)).isTrue(); // a second join of the same node: still one row
        assertThat(registry.watchingNodes(id)).containsExactly(NODE_B);
        assertThat(new WatchRegistry(jdbc, 10).watchingNodes(id)).containsExactly(NODE_B); // a restarted instance

        registry.forget(id, NODE_B.replyTopic());
        assertThat(registry.watchingNodes(id)).isEmpty();

        registry.register(id, NODE_A);
        jdbc.update("DELETE FROM transcript_segment WHERE session_id = ?", id);
        jdbc.update("DELETE FROM transcript_session WHERE id = ?", id);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM session_watch_node WHERE session_id = ?", Integer.class, id))
                .isZero();
    }

    @Test
    void aSessionThatIsNotStoredIsNeverRegistered() {
        WatchRegistry registry = new WatchRegistry(jdbc, 10);
        String unknown = UUID.randomUUID().toString();
        assertThat(registry.register(unknown, NODE_B)).isFalse();
        assertThat(registry.watchingNodes(unknown)).isEqualTo(Set.of());
        assertThat(registry.grant(unknown)).isEmpty();
    }

    @Test
    void revokingMovesTheEpochOn() {
        String id = started("owner");
        WatchRegistry registry = new WatchRegistry(jdbc, 10);
        assertThat(registry.grant(id)).contains(new WatchRegistry.Grant("owner", 0));
        assertThat(registry.revoke(id)).isEqualTo(1);
        assertThat(registry.revoke(id)).isEqualTo(2);
        assertThat(registry.grant(id)).contains(new WatchRegistry.Grant("owner", 2));
    }
}
