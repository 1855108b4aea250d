package dev.lfr.loadtest.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test access to models and ../shared/data; a missing data folder skips the test with a printed reason. */
final class SharedFaces {
    private static ModelStore models;

    private SharedFaces() {}

    static synchronized ModelStore models() {
        if (models == null) {
            models = ModelStore.ensureDefault();
        }
        return models;
    }

    static Path require(String sub) {
        Path dir = Path.of(System.getProperty("lfr.shared.data", "../shared/data")).resolve(sub).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            System.out.println("SKIPPED: " + dir + " is absent (the shared face data is not on this machine)");
        }
        assumeTrue(Files.exists(dir), () -> dir + " is absent");
        return dir;
    }
}
