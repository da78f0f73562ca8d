package com.realtimevoice.local.clients;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs some client tests drive (chromium, chromedriver, nginx, openssl, node). Missing under CI=true
 * the test fails (CI installs them in .ci/run); missing elsewhere the test is skipped with the install line.
 */
public final class RequiredTools {

    private RequiredTools() {}

    public static Path require(String name, String installHint, String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        String message = name + " is not installed (" + installHint + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + message);
        }
        Assumptions.abort(message + "; skipping");
        return null;
    }

    /** A free TCP port on the loopback interface (closed again; the caller binds it soon after). */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The repository root (where fixtures/ and clients/ are), found from the module directory tests run in. */
    public static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("fixtures/speech")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "repository root not found above " + Path.of("").toAbsolutePath());
    }
}
