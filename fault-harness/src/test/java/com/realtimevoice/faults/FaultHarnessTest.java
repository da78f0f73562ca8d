package com.realtimevoice.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.realtimevoice.faults.check.Report;
import com.realtimevoice.faults.check.ScenarioResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault-injection proof (docs/reliability.md): every scenario must end with no final lost and no duplicate
 * row. {@code ./mvnw verify} runs the short suite; {@code -Pfull-faults} the full one; {@code -Dfaults.suite=a,b}
 * any scenarios by name.
 */
class FaultHarnessTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void noFinalIsLostOrStoredTwiceUnderFaults() throws Exception {
        boolean haveMariaDb = Files.isExecutable(Path.of("/usr/sbin/mariadbd")) || onPath("mariadbd");
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.assumeTrue(
                    haveMariaDb, "mariadbd is not installed (apt-get install mariadb-server): fault harness skipped");
        }
        String suite = System.getProperty("faults.suite", "short");
        List<ScenarioResult> results = new FaultHarness(FaultHarness.Options.forSuite(suite)).run();
        assertFalse(results.isEmpty(), "no scenario ran");
        assertTrue(
                results.stream().allMatch(ScenarioResult::passed),
                "finals were lost or stored twice, or sessions recovered too slowly, under faults:\n"
                        + Report.markdown(results) + "\nper session: target/faults/details.md");
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }
}
