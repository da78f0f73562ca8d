package com.realtimevoice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code kafka-floor} for a few seconds at a low rate, so that the tool behind goal 4's floor figures cannot rot:
 * records go through its own in-process broker and come back timed, and the CPU is counted.
 */
class KafkaFloorSmokeTest {

    @Test
    void recordsFlowThroughItsOwnBrokerAndAreTimedAndCosted(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("floor.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KafkaFloor.main(
                new String[] {
                    "--rate",
                    "400",
                    "--keys",
                    "40",
                    "--partitions",
                    "2",
                    "--warmup",
                    "3",
                    "--duration",
                    "2",
                    "--flushes",
                    "20",
                    "--broker-io-threads",
                    "2",
                    "--broker-network-threads",
                    "1",
                    "--json",
                    json.toString()
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed)
                .contains(
                        "send -> consumer p50",
                        "process (user + system, all threads)",
                        "20 flushes/s",
                        "in-process (2 io, 1 network threads)");

        JsonNode report = LoadPhase.JSON.readTree(Files.readString(json));
        assertThat(report.path("records/s received").asDouble())
                .as(report.toString())
                .isBetween(200.0, 600.0);
        assertThat(report.path("latency ms (send -> consumer)").path("p99").asDouble())
                .isPositive();
        assertThat(report.path("process total % of a core").asDouble()).isPositive();
        assertThat(report.path("broker in process").asBoolean()).isTrue();
        assertThat(report.path("options").path("flushesPerSecond").asInt())
                .as(report.toString())
                .isEqualTo(20);
        assertThat(report.path("options").path("brokerIoThreads").asInt()).isEqualTo(2);
    }

    @Test
    void badOptionsAreRefusedWithTheUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KafkaFloor.main(
                new String[] {"--rate", "0"},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("must be positive");
    }
}
