package dev.lfr.cli;

import dev.lfr.udfs.engine.Int8Calibration;
import dev.lfr.udfs.model.ModelManifest;
import dev.lfr.udfs.model.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "models", description = "Fetch and build the models if needed (npm, once), then list them with licence and sha256",
        subcommands = ModelsCommand.Int8Ranges.class)
final class ModelsCommand extends LfrCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        ModelStore store = ModelStore.ensureDefault();
        PrintWriter out = out();
        out.println("models in " + store.dir().toAbsolutePath());
        for (ModelManifest.InstalledModel m : store.manifest().models()) {
            out.printf("%-20s %-9s %s@%s  sha256=%s%n    licence: %s%n", m.id(), m.spec().role(), m.spec().packageName(),
                    store.manifest().packages().stream().filter(p -> p.name().equals(m.spec().packageName()))
                            .findFirst().map(p -> p.version()).orElse("?"), m.sha256(), m.spec().license());
        }
        out.println("default embedder: " + store.defaultEmbedder());
        return 0;
    }

    @Command(name = "int8-ranges", description = {
            "Calibrate the activation ranges of an 8-bit twin of a float embedder on the sample photos of the model",
            "packages (or --photos), and write them as the catalogue's int8/<ID>-int8.json, from which the install",
            "builds the 8-bit model. The committed ranges: --photos ../shared/data/dlib,../shared/data/faceapi_js_bbt,",
            "../shared/data/facenet_pytorch,../shared/data/insightface (faces that accuracy is not measured on)."})
    static final class Int8Ranges extends LfrCommand implements Callable<Integer> {
        @Option(names = "--from", paramLabel = "ID", description = "the float embedder (default fr-feature-512)")
        String from = "fr-feature-512";

        @Option(names = "--photos", paramLabel = "PATH", split = ",",
                description = "calibrate on these photos, or the JPEG and PNG files below these folders, instead")
        List<Path> photos;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "where to write the ranges (JSON)")
        Path outFile;

        @Override
        public Integer call() throws Exception {
            ModelStore store = ModelStore.ensureDefault();
            if (store.manifest().models().stream().noneMatch(m -> m.id().equals(from) && "embedder".equals(m.spec().role()))) {
                throw new UserError("unknown embedder '" + from + "'");
            }
            List<Path> images = new ArrayList<>();
            for (Path p : photos == null ? store.samples() : photos) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.walk(p)) {
                        files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                                .sorted().forEach(images::add);
                    }
                } else if (Files.isRegularFile(p)) {
                    images.add(p);
                } else {
                    throw new UserError("no such photo or folder: " + p);
                }
            }
            Int8Calibration.Result r;
            try {
                r = Int8Calibration.calibrate(store, from, images);
            } catch (IllegalArgumentException | IOException e) {
                throw new UserError(e.getMessage());
            }
            r.ranges().write(outFile);
            out().println("calibrated " + r.ranges().ranges().size() + " tensors of " + from + " on " + r.faces()
                    + " faces; wrote " + outFile);
            return 0;
        }
    }
}
