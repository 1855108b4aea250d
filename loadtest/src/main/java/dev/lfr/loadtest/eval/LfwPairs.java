package dev.lfr.loadtest.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LFW's official {@code pairs.txt}: a header "folds pairsPerClass", then per fold that many matched lines
 * ({@code name i j}) and that many mismatched lines ({@code name1 i name2 j}). Only pairs whose two images exist
 * under the data folder are kept (the shared data holds a development half of LFW).
 */
public final class LfwPairs {
    /** One pair; {@code fold} is 0-based. */
    public record Pair(int fold, Path first, Path second, boolean same) {}

    private LfwPairs() {}

    public static List<Pair> read(Path lfwDir) throws IOException {
        Path file = lfwDir.resolve("_meta/pairs.txt");
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).trim().split("\\s+");
        int folds = Integer.parseInt(header[0]);
        int perClass = Integer.parseInt(header[1]);
        List<Pair> out = new ArrayList<>();
        int line = 1;
        for (int fold = 0; fold < folds; fold++) {
            for (int i = 0; i < 2 * perClass; i++) {
                String[] f = lines.get(line++).trim().split("\\s+");
                Pair p = f.length == 3
                        ? new Pair(fold, image(lfwDir, f[0], f[1]), image(lfwDir, f[0], f[2]), true)
                        : new Pair(fold, image(lfwDir, f[0], f[1]), image(lfwDir, f[2], f[3]), false);
                if (Files.isRegularFile(p.first()) && Files.isRegularFile(p.second())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static Path image(Path dir, String name, String index) {
        return dir.resolve(name).resolve(String.format("%s_%04d.jpg", name, Integer.parseInt(index)));
    }
}
