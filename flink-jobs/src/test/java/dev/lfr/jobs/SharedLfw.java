package dev.lfr.jobs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The LFW folder of ../shared/data, or a skipped test with the reason printed (CI always has it). */
public final class SharedLfw {
    private SharedLfw() {}

    public static Path dir() {
        Path lfw = Path.of(System.getProperty("lfr.shared.data", "../shared/data")).resolve("lfw").toAbsolutePath();
        if (!Files.isDirectory(lfw)) {
            System.out.println("SKIPPED: " + lfw + " is absent (the shared face data is not on this machine)");
        }
        assumeTrue(Files.isDirectory(lfw), () -> lfw + " is absent");
        return lfw;
    }
}
