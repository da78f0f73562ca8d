package com.realtimevoice.local.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the mini-program SDK's node tests (clients/miniprogram/test/*.test.js: the wx mock, the example page, and the
 * real-server ones) with RV_BASE_URL pointing at the shared product, so that `./mvnw verify` covers them. The TAP
 * output goes to target/miniprogram-node-tests.tap.
 */
@ExtendWith(SharedCluster.class)
class MiniprogramSdkTest {

    @Test
    void nodeTestsPassAgainstTheWxMockAndTheRealServer(SharedCluster.Ref product) throws Exception {
        Path node = RequiredTools.require(
                "node", "apt-get install -y nodejs npm (node 18 or later)", "/usr/bin/node", "/usr/local/bin/node");
        Path sdk = RequiredTools.repoRoot().resolve("clients/miniprogram");
        if (!Files.isDirectory(sdk.resolve("node_modules/ws"))) {
            Path npm = RequiredTools.require("npm", "apt-get install -y npm", "/usr/bin/npm", "/usr/local/bin/npm");
            Process install = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
                    .directory(sdk.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(install.getInputStream().readAllBytes());
            assertThat(install.waitFor(5, TimeUnit.MINUTES) && install.exitValue() == 0)
                    .as("npm ci in " + sdk + ":\n" + out)
                    .isTrue();
        }
        List<String> command =
                new ArrayList<>(List.of(node.toString(), "--test", "--test-reporter=tap", "--test-timeout=120000"));
        try (Stream<Path> files = Files.list(sdk.resolve("test"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".test.js"))
                    .sorted()
                    .forEach(f -> command.add("test/" + f.getFileName()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(sdk.toFile()).redirectErrorStream(true);
        pb.environment().put("RV_BASE_URL", "http://localhost:" + product.get().ingestPort(0));
        Path tap = Path.of("target", "miniprogram-node-tests.tap");
        Files.createDirectories(tap.getParent());
        pb.redirectOutput(tap.toFile());
        Process p = pb.start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(tap);
        System.out.println(output);
        assertThat(finished).as("node tests finished within 5 minutes").isTrue();
        assertThat(p.exitValue())
                .as("node --test exit code; output in " + tap.toAbsolutePath())
                .isZero();
        assertThat(count(output, "pass")).as("node tests passed").isGreaterThanOrEqualTo(25);
        assertThat(count(output, "fail")).isZero();
        assertThat(count(output, "skipped"))
                .as("the real-server tests ran (none skipped)")
                .isZero();
    }

    private static int count(String tap, String what) {
        Matcher m =
                Pattern.compile("^# " + what + " (\\d+)$", Pattern.MULTILINE).matcher(tap);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
