package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.realtimevoice.local.clients.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus files through Prometheus's own checker (issue 20): promtool validates deploy/prometheus's
 * config and alert rules, and runs the rules' unit tests (deploy/prometheus/alerts-test.yml), whose series carry
 * compose's labels and k8s pod scraping's, so an alert that selects on a label only one of them sets fails here.
 */
class PrometheusRulesTest {

    private static final Path PROMETHEUS = RequiredTools.repoRoot().resolve("deploy/prometheus");

    @Test
    void configAndRulesAreValidAndTheAlertsFireOnComposeAndK8sLabels() throws Exception {
        Path promtool = RequiredTools.require(
                "promtool", "apt-get install --no-install-recommends prometheus", "/usr/bin/promtool");
        assertThat(run(promtool.toString(), "check", "config", "prometheus.yml"))
                .contains("SUCCESS")
                .contains("is valid prometheus config file");
        assertThat(run(promtool.toString(), "check", "rules", "alerts.yml")).contains("SUCCESS");
        assertThat(run(promtool.toString(), "test", "rules", "alerts-test.yml")).contains("SUCCESS");
    }

    /** Runs the command in deploy/prometheus; fails with its output unless it exits 0. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .directory(PROMETHEUS.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
