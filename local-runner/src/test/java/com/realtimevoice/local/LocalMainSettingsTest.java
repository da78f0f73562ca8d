package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        LocalCluster.Settings s = LocalMain.settingsFrom(Map.of("PORT", "9000", "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "DB_HOST", "db", "ASR_TOPIC_PARTITIONS", "4"));
        assertThat(s.firstIngestPort()).isEqualTo(9000);
        assertThat(s.kafkaBootstrapServers()).isEqualTo("k:9092");
        assertThat(s.database()).as("result-service reads DB_* itself").isEmpty();
        assertThat(s.partitions()).as("was always 12 in the embedded default").isEqualTo(4);
    }

    @Test
    void badNumbersAreRefusedByName() {
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("ASR_TOPIC_PARTITIONS", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ASR_TOPIC_PARTITIONS")
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> LocalMain.settingsFrom(Map.of("PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PORT");
    }
}
