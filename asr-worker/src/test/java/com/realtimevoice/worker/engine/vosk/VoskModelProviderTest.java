package com.realtimevoice.worker.engine.vosk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoskModelProviderTest {

    @TempDir
    Path cache;

    @Test
    void unpacksTheBundledModelOnceAndReusesIt() throws IOException {
        // Crashes during earlier unpacks left half models in temp dirs: never taken for a model, old ones removed.
        Path crashed = Files.createDirectories(cache.resolve(VoskModelProvider.UNPACKED_MODEL + ".tmp-crashed"));
        Files.writeString(crashed.resolve("half.mdl"), "x");
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
        Path recent = Files.createDirectories(
                cache.resolve(VoskModelProvider.UNPACKED_MODEL + ".tmp-someone-else-unpacking"));

        Path dir = bundled().modelDirectory();

        assertThat(dir).isEqualTo(cache.resolve(VoskModelProvider.UNPACKED_MODEL));
        assertThat(dir.resolve("am/final.mdl")).isRegularFile();
        assertThat(dir.resolve("conf/model.conf")).isRegularFile();
        assertThat(dir.resolve("graph/HCLr.fst")).isRegularFile();
        assertThat(Files.size(dir.resolve("am/final.mdl"))).isEqualTo(15_962_575L);
        assertThat(Files.readAllLines(dir.resolve("conf/mfcc.conf")))
                .as("dither off: transcripts repeatable")
                .contains("--sample-frequency=16000")
                .containsOnlyOnce("--dither=0")
                .last()
                .isEqualTo("--dither=0");
        try (Stream<Path> entries = Files.list(cache)) {
            assertThat(entries.filter(p -> p.getFileName().toString().contains(".tmp-")))
                    .as("ours and the stale one gone, the recent one kept")
                    .containsExactly(recent);
        }

        FileTime marker = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(dir.resolve("am/final.mdl"), marker);
        Path again = bundled().modelDirectory();
        assertThat(again).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(again.resolve("am/final.mdl")))
                .as("not unpacked again")
                .isEqualTo(marker);
    }

    /**
     * Two workers sharing a cache directory unpack at the same time: the second rename finds the first one's model
     * in place (Linux reports a plain FileSystemException, "Directory not empty") and must use it, not fail the start.
     */
    @Test
    void aModelMovedIntoPlaceByAnotherProcessMeanwhileIsUsed() throws IOException {
        Path theirs = bundled().modelDirectory();
        Path ours = cache.resolve(VoskModelProvider.UNPACKED_MODEL + ".tmp-ours");
        Files.createDirectories(ours.resolve("conf"));
        Files.writeString(ours.resolve("conf/model.conf"), "--beam=10.0\n");

        VoskModelProvider.moveIntoPlace(ours, theirs);

        assertThat(theirs.resolve("am/final.mdl")).as("theirs kept").isRegularFile();
        assertThat(bundled().modelDirectory()).isEqualTo(theirs);
    }

    @Test
    void aFailedRenameWithNoModelInPlaceStillFails() throws IOException {
        Path target = Files.createDirectories(cache.resolve(VoskModelProvider.UNPACKED_MODEL));
        Files.writeString(target.resolve("not-a-model"), "x");
        Path ours = Files.createDirectories(cache.resolve(VoskModelProvider.UNPACKED_MODEL + ".tmp-ours"));
        Files.writeString(ours.resolve("x"), "x");
        assertThatThrownBy(() -> VoskModelProvider.moveIntoPlace(ours, target)).isInstanceOf(IOException.class);
    }

    @Test
    void configuredPathThatIsNoDirectoryFailsClearly() {
        Path missing = cache.resolve("no-such-model");
        assertThatThrownBy(() -> new VoskModelProvider(missing.toString(), cache, VoskModelProvider.BUNDLED_RESOURCE)
                        .modelDirectory())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ASR_VOSK_MODEL_PATH")
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("is not a directory");
    }

    @Test
    void configuredDirectoryThatIsNoModelFailsClearly() throws IOException {
        Path notAModel = Files.createDirectories(cache.resolve("some-dir/graph"));
        assertThatThrownBy(() -> new VoskModelProvider(
                                notAModel.getParent().toString(), cache, VoskModelProvider.BUNDLED_RESOURCE)
                        .modelDirectory())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ASR_VOSK_MODEL_PATH")
                .hasMessageContaining("does not look like a Vosk model")
                .hasMessageContaining("am/final.mdl");
    }

    @Test
    void configuredModelDirectoryIsUsedAsIs() throws IOException {
        // conf/model.conf alone is enough to be recognised (models differ in layout); Vosk itself checks the rest.
        Path model = cache.resolve("vosk-model-small-cn-0.22");
        Files.createDirectories(model.resolve("conf"));
        Files.writeString(model.resolve("conf/model.conf"), "--sample-frequency=16000\n");
        assertThat(new VoskModelProvider(model.toString(), cache, VoskModelProvider.BUNDLED_RESOURCE).modelDirectory())
                .isEqualTo(model);
    }

    @Test
    void missingBundledModelPointsAtTheSetting() {
        assertThatThrownBy(() -> new VoskModelProvider(null, cache, "/vosk-models/absent.aar").modelDirectory())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ASR_VOSK_MODEL_PATH");
        assertThat(cache.resolve(VoskModelProvider.UNPACKED_MODEL)).doesNotExist();
    }

    private VoskModelProvider bundled() {
        return new VoskModelProvider(null, cache, VoskModelProvider.BUNDLED_RESOURCE);
    }
}
