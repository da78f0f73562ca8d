package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded default reads the same environment variables as the services it runs (README, configuration). */
class LocalMainSettingsTest {

    @Test
    void defaultsWithoutEnvironment() {
        LocalCluster.Settings s = LocalMain.settingsFrom(Map.of());
        assertThat(s.firstIngestPort()).isEqualTo(8080);
        assertThat(s.partitions()).isEqualTo(12);
        assertThat(s.kafkaBootstrapServers()).isNull();
        assertThat(s.database()).isEqualTo(LocalCluster.Settings.H2);
    }

    @Test
    void portKafkaDatabaseAndPartitionsFromTheEnvironment() {
        LocalCluster.Settings s = LocalMain.settingsFrom(Map.of(
                "PORT", "9000", "KAFKA_BOOTSTRAP_SERVERS", "k:9092", "DB_HOST", "db", "ASR_TOPIC_PARTITIONS", "4"));
        assertThat(s.firstIngestPort()).isEqualTo(9000);
        assertThat(s.kafkaBootstrapServers()).isEqualTo("k:9092");
        assertThat(s.database()).as("result-service reads DB_* itself").isEmpty();
        assertThat(s.partitions()).as("was always 12 in the embedded default").isEqualTo(4);
    }

    @Test
    void warmUpIsOnByDefaultAndZeroTurnsItOff() {
        assertThat(LocalMain.settingsFrom(Map.of()).warmUp()).isEqualTo(Duration.ofSeconds(20));
        assertThat(LocalMain.settingsFrom(Map.of("LOCAL_WARMUP_SECONDS", "0")).warmUp())
                .isZero();
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("LOCAL_WARMUP_SECONDS", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOCAL_WARMUP_SECONDS");
    }

    @Test
    void badNumbersAreRefusedByName() {
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("ASR_TOPIC_PARTITIONS", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ASR_TOPIC_PARTITIONS")
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PORT");
    }

    @Test
    void everyServicePortFromItsVariable() {
        LocalCluster.Settings s =
                LocalMain.settingsFrom(Map.of("PORT", "0", "ASR_WORKER_PORT", "9101", "RESULT_SERVICE_PORT", "9102"));
        assertThat(s.firstIngestPort()).isZero();
        assertThat(s.firstWorkerPort()).as("was always 8081").isEqualTo(9101);
        assertThat(s.firstResultServicePort()).as("was always 8082").isEqualTo(9102);
        assertThat(LocalMain.ports(s))
                .as("0 = any free port: nothing to check")
                .containsOnlyKeys("ASR_WORKER_PORT", "RESULT_SERVICE_PORT");
        assertThat(LocalMain.settingsFrom(Map.of()).firstWorkerPort()).isEqualTo(8081);
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("RESULT_SERVICE_PORT", "70000")))
                .hasMessageContaining("RESULT_SERVICE_PORT");
    }

    @Test
    void twoVariablesOnOnePortAreRefusedByName() {
        assertThat(LocalMain.portsTaken(LocalMain.ports(LocalMain.settingsFrom(Map.of("PORT", "8081")))))
                .contains("PORT and ASR_WORKER_PORT are both 8081");
    }

    /** A port taken between the check and the bind (a race) is still reported by its variable. */
    @Test
    void aServiceThatLostItsPortIsNamedByItsVariable() {
        var failed = new LocalCluster.ServiceStartException(
                "result-service",
                0,
                8082,
                new IllegalStateException(
                        "context failed", new org.springframework.boot.web.server.PortInUseException(8082)));
        assertThat(LocalMain.startFailure(failed)).startsWith("RESULT_SERVICE_PORT=8082: port 8082 is already in use");
    }
}
