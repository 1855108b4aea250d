package dev.lfr.udfs.model;

import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An installed models folder: its manifest, and sessions opened on files whose sha256 still matches it (a model
 * swapped or damaged on disk is refused, not silently used). Immutable and thread-safe; every {@link #open} makes a
 * new session, to be owned and closed by one operator instance.
 */
public record ModelStore(Path dir, ModelManifest manifest) {

    /** Installs if needed (see {@link ModelInstaller}) and opens the folder. */
    public static ModelStore ensure(Path dir) {
        return new ModelStore(dir, new ModelInstaller(ModelCatalog.load(), dir).ensure());
    }

    public static ModelStore ensureDefault() {
        return ensure(ModelInstaller.defaultDir());
    }

    public ModelSpec spec(String id) {
        return manifest.model(id).spec();
    }

    public String defaultEmbedder() {
        return manifest.defaultEmbedder();
    }

    public List<Path> samples() {
        return manifest.samples().stream().map(dir::resolve).toList();
    }

    public byte[] bytes(String id) {
        ModelManifest.InstalledModel m = manifest.model(id);
        Path file = dir.resolve(m.spec().file());
        try {
            byte[] b = Files.readAllBytes(file);
            if (!ModelInstaller.sha256(b).equals(m.sha256())) {
                throw new ModelInstallException(file + " does not match its sha256 in the manifest; delete "
                        + dir.resolve(ModelManifest.FILE_NAME) + " to reinstall");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + file, e);
        }
    }

    public OrtSession open(String id) {
        return OnnxSessions.open(bytes(id));
    }
}
