package com.realtimevoice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/Dockerfile builds where no registry is reachable and rebuilds only what changed (issue 20). */
class DockerfileTest {

    private final String dockerfile =
            DeploymentModel.read(DeploymentModel.root().resolve("deploy/Dockerfile"));

    @Test
    void theJavaImagesAreBuildArguments() {
        assertThat(dockerfile)
                .containsPattern("(?m)^ARG BASE_IMAGE=eclipse-temurin:17-jre$")
                .containsPattern("(?m)^ARG BUILD_IMAGE=eclipse-temurin:17-jdk$")
                .containsPattern("(?m)^FROM \\$\\{BUILD_IMAGE} AS build$");
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        while (from.find()) {
            assertThat(from.group(1)).as("every stage's image is an argument").startsWith("${");
        }
        assertThat(dockerfile)
                .as("a # syntax= line fetches the frontend from Docker Hub")
                .doesNotContainPattern("(?m)^# *syntax=");
    }

    @Test
    void dependenciesAreResolvedBeforeTheSourcesAreCopied() {
        int sources = dockerfile.indexOf("COPY . .");
        int resolve = dockerfile.indexOf("dependency:go-offline");
        assertThat(resolve).isPositive().isLessThan(sources);
        assertThat(dockerfile.indexOf("COPY mvnw pom.xml ./")).isLessThan(resolve);
        for (String module : DeploymentModel.modules()) {
            int pom = dockerfile.indexOf("COPY " + module + "/pom.xml " + module + "/");
            assertThat(pom)
                    .as(module + "/pom.xml copied before the dependencies are resolved")
                    .isPositive()
                    .isLessThan(resolve);
        }
    }

    @Test
    void everyCacheMountIsLocked() {
        Matcher mount = Pattern.compile("--mount=type=cache[^\\s]*").matcher(dockerfile);
        int mounts = 0;
        while (mount.find()) {
            mounts++;
            assertThat(mount.group())
                    .as("parallel builds must not write the Maven cache at once")
                    .contains("sharing=locked");
        }
        assertThat(mounts).isEqualTo(2);
    }

    /**
     * The build stage packages every service and knows nothing of SERVICE, so the three image builds share it: one
     * Maven build instead of three, and no race between them.
     */
    @Test
    void theBuildStageIsSharedByEveryService() {
        String build = stage("build");
        assertThat(build).as("the build stage must not depend on SERVICE").doesNotContain("SERVICE");
        assertThat(build)
                .contains("-pl " + String.join(",", DeploymentModel.SERVICES) + " -am package -Dmaven.test.skip=true")
                .contains("for module in " + String.join(" ", DeploymentModel.SERVICES) + "; do")
                .contains("\"/jars/$module.jar\"");
        String layers = stage("layers");
        assertThat(layers)
                .containsPattern("(?m)^ARG SERVICE$")
                .contains("COPY --from=build /jars/${SERVICE}.jar app.jar");
    }

    /** The text of the stage named {@code name}, from its FROM line to the next one. */
    private String stage(String name) {
        Matcher from = Pattern.compile("(?m)^FROM \\S+ AS " + name + "$").matcher(dockerfile);
        assertThat(from.find()).as("stage " + name).isTrue();
        int next = dockerfile.indexOf("\nFROM ", from.end());
        return dockerfile.substring(from.start(), next < 0 ? dockerfile.length() : next);
    }
}
