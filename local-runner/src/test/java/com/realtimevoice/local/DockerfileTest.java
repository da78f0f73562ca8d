package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** deploy/Dockerfile builds where no registry is reachable and rebuilds only what changed (issue 20). */
class DockerfileTest {

    private final String dockerfile = DeploymentModel.read(DeploymentModel.root().resolve("deploy/Dockerfile"));

    @Test
    void theJavaImagesAreBuildArguments() {
        assertThat(dockerfile).containsPattern("(?m)^ARG BASE_IMAGE=eclipse-temurin:17-jre$")
                .containsPattern("(?m)^ARG BUILD_IMAGE=eclipse-temurin:17-jdk$")
                .containsPattern("(?m)^FROM \\$\\{BUILD_IMAGE} AS build$");
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        while (from.find()) {
            assertThat(from.group(1)).as("every stage's image is an argument").startsWith("${");
        }
        assertThat(dockerfile).as("a # syntax= line fetches the frontend from Docker Hub").doesNotContainPattern("(?m)^# *syntax=");
    }

    @Test
    void dependenciesAreResolvedBeforeTheSourcesAreCopied() {
        int sources = dockerfile.indexOf("COPY . .");
        int resolve = dockerfile.indexOf("dependency:go-offline");
        assertThat(resolve).isPositive().isLessThan(sources);
        assertThat(dockerfile.indexOf("COPY mvnw pom.xml ./")).isLessThan(resolve);
        for (String module : DeploymentModel.modules()) {
            int pom = dockerfile.indexOf("COPY " + module + "/pom.xml " + module + "/");
            assertThat(pom).as(module + "/pom.xml copied before the dependencies are resolved").isPositive().isLessThan(resolve);
        }
    }

    @Test
    void everyCacheMountIsLocked() {
        Matcher mount = Pattern.compile("--mount=type=cache[^\\s]*").matcher(dockerfile);
        int mounts = 0;
        while (mount.find()) {
            mounts++;
            assertThat(mount.group()).as("parallel builds must not write the Maven cache at once").contains("sharing=locked");
        }
        assertThat(mounts).isEqualTo(2);
    }
}
