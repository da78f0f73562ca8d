package com.realtimevoice.result.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The names Prometheus scrapes: no unit suffix that is not a unit; the old name kept, deprecated, for one release. */
class ResultMetricsNamesTest {

    @Test
    void theBatchSummaryIsNamedWithoutAFakeUnit() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ResultMetrics(registry).finalsStored(3);
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains(
                        "result_db_batch_finals_count 1",
                        "result_db_batch_finals_sum 3",
                        "result_db_batch_finals_bucket");
        assertThat(scrape)
                .as("deprecated alias, removed in the next release")
                .contains("result_db_batch_size_finals_count 1")
                .contains("DEPRECATED");
    }
}
