package dev.lfr.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared face data folder ({@code ../shared/data} beside the repository; {@code -Dlfr.shared.data} overrides). */
final class SharedData {
    private SharedData() {}

    static Path dir(String sub) {
        Path p = Path.of(System.getProperty("lfr.shared.data", "../shared/data")).resolve(sub);
        return p.toAbsolutePath().normalize();
    }

    static Path require(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(what + " not found at " + dir + " (give --data DIR)");
        }
        return dir;
    }
}
