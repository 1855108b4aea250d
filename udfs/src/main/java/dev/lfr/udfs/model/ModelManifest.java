package dev.lfr.udfs.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * {@code models/manifest.json}, written by {@link ModelInstaller}: for every installed model its catalog entry plus
 * what was really produced (file, sha256, input and output names and shapes read back from ONNX Runtime), the
 * source packages with their verified integrity, and the sample images. Immutable.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
        int formatVersion,
        List<ModelCatalog.NpmPackage> packages,
        List<InstalledModel> models,
        List<String> samples,
        String defaultEmbedder) {

    public static final String FILE_NAME = "manifest.json";
    static final int FORMAT_VERSION = 1;

    /** One tensor of a model's signature; -1 marks a dynamic dimension. */
    public record TensorInfo(String name, long[] shape, String type) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** {@code recipe}: the sha256 of what a built model was made from beyond its package (an 8-bit model's ranges). */
    public record InstalledModel(ModelSpec spec, String sha256, long bytes, List<TensorInfo> inputs,
                                 List<TensorInfo> outputs, String recipe) {
        public String id() {
            return spec.id();
        }
    }

    public InstalledModel model(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("model '" + id + "' is not installed; installed: "
                        + models.stream().map(InstalledModel::id).toList()));
    }

    public static ModelManifest read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            return ModelCatalog.JSON.readValue(file.toFile(), ModelManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Written to a temporary file and moved into place, so a reader never sees half a manifest. */
    void write(Path dir) throws IOException {
        Path tmp = Files.createTempFile(dir, "manifest", ".tmp");
        ModelCatalog.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
