package dev.lfr.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The pinned model sources committed with the code ({@code catalog.json}): which npm packages, which files in them,
 * how each model wants its input and, for embedders, how faces are aligned for it. Immutable and thread-safe.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCatalog(
        List<NpmPackage> packages, Samples samples, List<ModelSpec> models, String defaultEmbedder) {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A pinned npm package; {@code integrity} is npm's Subresource Integrity string (sha512). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NpmPackage(String name, String version, String integrity, String license) {
        public String spec() {
            return name + "@" + version;
        }

        /** The file name {@code npm pack} writes, e.g. {@code vladmandic-face-api-1.7.15.tgz}. */
        public String tarballName() {
            return name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
        }
    }

    /** Demo images shipped inside a package, so the demo runs without {@code ../shared/data}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Samples(String packageName, List<String> sources) {
        @JsonCreator
        public Samples(@JsonProperty("package") String packageName,
                       @JsonProperty("sources") List<String> sources) {
            this.packageName = packageName;
            this.sources = List.copyOf(sources);
        }
    }

    public static ModelCatalog load() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("catalog.json")) {
            if (in == null) {
                throw new IllegalStateException("catalog.json is missing from the classpath");
            }
            return JSON.readValue(in, ModelCatalog.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model catalog", e);
        }
    }

    public NpmPackage pkg(String name) {
        return packages.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no package " + name + " in the model catalog"));
    }

    public ModelSpec model(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("unknown model '" + id + "'; known: "
                        + models.stream().map(ModelSpec::id).toList()));
    }

}
