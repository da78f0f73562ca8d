package com.realtimevoice.worker.engine.vosk;

import com.realtimevoice.worker.WorkerProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;

/**
 * Finds the Vosk model directory and loads the model.
 *
 * <p>With no configured path it uses the English model that ships from Maven Central as an Android aar
 * (bundled on the classpath by the build) and unpacks it into the cache directory on first use.
 * The model is loaded once per process: it is large (~70 MB on disk, more in memory) and read-only,
 * and the local runner starts several worker contexts in one JVM that must share it.
 */
@Component
class VoskModelProvider {

    static final String BUNDLED_MODEL = "vosk-model-en-0.3.45";
    static final String BUNDLED_RESOURCE = "/vosk-models/" + BUNDLED_MODEL + ".aar";
    /**
     * The unpacked directory's name says it has dither off (see {@link #turnOffDither}), so a cache unpacked
     * before that is not reused.
     */
    static final String UNPACKED_MODEL = BUNDLED_MODEL + "-dither0";

    private static final String ASSET_PREFIX = "assets/model-en-us/";

    private static final Logger log = LoggerFactory.getLogger(VoskModelProvider.class);

    /** Keyed by the model's real path. Never closed: recognizers of any context may be using a model. */
    private static final Map<Path, Model> MODELS = new ConcurrentHashMap<>();

    private static final Object UNPACK_LOCK = new Object();
    private static final Duration STALE_TEMP_DIR_AGE = Duration.ofHours(1);

    private final String configuredPath;
    private final Path cacheDir;
    private final String bundledResource;

    @Autowired
    VoskModelProvider(WorkerProperties properties) {
        this(
                properties.vosk().hasModelPath() ? properties.vosk().modelPath() : null,
                properties.vosk().cacheDir(),
                BUNDLED_RESOURCE);
        // Fail at start, not at the first session, if the configured model cannot be right.
        if (configuredPath != null) {
            modelDirectory();
        }
    }

    /** @param configuredPath a model directory, or null for the bundled model */
    VoskModelProvider(String configuredPath, Path cacheDir, String bundledResource) {
        this.configuredPath = configuredPath;
        this.cacheDir = cacheDir;
        this.bundledResource = bundledResource;
    }

    /** The model directory, unpacking the bundled model first if needed. */
    Path modelDirectory() {
        if (configuredPath != null) {
            Path dir = Path.of(configuredPath);
            requireModel(dir, "asr.worker.vosk.model-path (ASR_VOSK_MODEL_PATH)");
            return dir;
        }
        return unpackBundled();
    }

    /** The loaded model, shared by every context in this JVM. */
    Model model() {
        Path dir = realPath(modelDirectory());
        return MODELS.computeIfAbsent(dir, VoskModelProvider::load);
    }

    private static Model load(Path dir) {
        LibVosk.setLogLevel(LogLevel.WARNINGS);
        long start = System.nanoTime();
        log.info("Loading Vosk model from {}", dir);
        try {
            Model model = new Model(dir.toString());
            log.info("Loaded Vosk model from {} in {} ms", dir, (System.nanoTime() - start) / 1_000_000);
            return model;
        } catch (IOException e) {
            throw new IllegalStateException("Vosk could not load the model in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path unpackBundled() {
        Path target = cacheDir.resolve(UNPACKED_MODEL);
        synchronized (UNPACK_LOCK) {
            if (looksLikeModel(target)) {
                return target;
            }
            try {
                Files.createDirectories(cacheDir);
                removeStaleTempDirs();
                // Unpack beside the target, then rename: a crash mid-way leaves only a temp dir, never a half model.
                Path tmp = cacheDir.resolve(UNPACKED_MODEL + ".tmp-" + UUID.randomUUID());
                try {
                    unpack(tmp);
                    requireModel(tmp, "the bundled model " + bundledResource);
                    turnOffDither(tmp.resolve("conf/mfcc.conf"));
                    moveIntoPlace(tmp, target);
                } finally {
                    deleteRecursively(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot unpack the bundled Vosk model into " + target
                                + " (set ASR_VOSK_CACHE_DIR to a writable directory): " + e.getMessage(),
                        e);
            }
            requireModel(target, "the unpacked model");
            return target;
        }
    }

    private void unpack(Path tmp) throws IOException {
        InputStream in = VoskModelProvider.class.getResourceAsStream(bundledResource);
        if (in == null) {
            throw new IllegalStateException("the bundled Vosk model " + bundledResource + " is not on the classpath;"
                    + " build with Maven (it copies it there) or set ASR_VOSK_MODEL_PATH to a model directory");
        }
        log.info("Unpacking the bundled Vosk model {} into {} (first use only, ~70 MB)", BUNDLED_MODEL, cacheDir);
        long start = System.nanoTime();
        long bytes = 0;
        long nextReport = 0;
        Files.createDirectories(tmp);
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!entry.getName().startsWith(ASSET_PREFIX) || entry.getName().length() == ASSET_PREFIX.length()) {
                    continue;
                }
                Path out = tmp.resolve(entry.getName().substring(ASSET_PREFIX.length()))
                        .normalize();
                if (!out.startsWith(tmp)) {
                    throw new IOException("entry outside the model directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                bytes += Files.copy(zip, out);
                if (bytes >= nextReport) {
                    log.info("Unpacking Vosk model: {} MB so far", bytes / 1_000_000);
                    nextReport = bytes + 20_000_000;
                }
            }
        }
        log.info("Unpacked {} MB of Vosk model in {} ms", bytes / 1_000_000, (System.nanoTime() - start) / 1_000_000);
    }

    /** Temp dirs left by a crash mid-unpack; recent ones may belong to another process unpacking right now. */
    private void removeStaleTempDirs() throws IOException {
        Instant cutoff = Instant.now().minus(STALE_TEMP_DIR_AGE);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(cacheDir, UNPACKED_MODEL + ".tmp-*")) {
            for (Path leftover : leftovers) {
                if (Files.getLastModifiedTime(leftover).toInstant().isBefore(cutoff)) {
                    log.info("Removing {}, left by an interrupted unpack", leftover);
                    deleteRecursively(leftover);
                }
            }
        }
    }

    /**
     * Kaldi adds random noise ("dither", default 1.0) to every frame before computing features, from a process-wide
     * rand(): a transcript then depends on whatever else ran in the JVM before it. With dither 0 the same audio always
     * gives the same words (docs/engines.md).
     */
    private static void turnOffDither(Path mfccConf) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(mfccConf));
        lines.removeIf(line -> line.strip().startsWith("--dither"));
        lines.add("--dither=0");
        Files.write(mfccConf, lines);
    }

    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache directory does not support atomic renames", e);
        } catch (FileSystemException e) {
            // Renaming onto a directory another process moved there first fails (on Linux with a plain
            // FileSystemException "Directory not empty"); its copy, moved there whole, is as good as ours.
            if (!looksLikeModel(target)) {
                throw e;
            }
            log.info("Vosk model {} was unpacked concurrently by another process; using that one", target);
        }
    }

    /** Fails with a message naming the setting if {@code dir} does not look like a Vosk model. */
    static void requireModel(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(
                    what + ": '" + dir + "' is not a directory; it must be a Vosk model"
                            + " directory (one with am/final.mdl or conf/model.conf, as unpacked from https://alphacephei.com/vosk/models)");
        }
        if (!looksLikeModel(dir)) {
            throw new IllegalStateException(what + ": '" + dir + "' does not look like a Vosk model:"
                    + " it has neither am/final.mdl nor conf/model.conf");
        }
    }

    static boolean looksLikeModel(Path dir) {
        return Files.isRegularFile(dir.resolve("am/final.mdl")) || Files.isRegularFile(dir.resolve("conf/model.conf"));
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the Vosk model directory " + dir, e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
