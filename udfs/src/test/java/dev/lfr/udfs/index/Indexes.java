package dev.lfr.udfs.index;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test helpers: index factories by kind, and seeded vectors. */
final class Indexes {
    private Indexes() {}

    /**
     * Skips when FAISS is not installed here (printing why), but fails when it is installed and the shim still did
     * not load: CI installs libfaiss-dev, so there the native path is always the one tested.
     */
    static void requireFaiss() {
        if (FaissIndex.nativeAvailable()) {
            return;
        }
        if (Files.exists(Path.of("/usr/include/faiss/Index.h"))) {
            fail("libfaiss-dev is installed but the FAISS shim did not load: " + FaissIndex.nativeLoadError());
        }
        System.out.println("SKIPPED: FAISS is not installed (" + FaissIndex.nativeLoadError() + ")");
        assumeTrue(false, "FAISS is not installed");
    }

    static WatchlistIndex create(String kind, int dimension) {
        return switch (kind) {
            case "java-exact" -> new ExactJavaIndex(dimension);
            case "faiss-flat" -> {
                requireFaiss();
                yield FaissIndex.flat(dimension);
            }
            case "faiss-hnsw" -> {
                requireFaiss();
                yield FaissIndex.hnsw(dimension, 32, 80, 128);
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static float[][] randomVectors(int n, int dimension, long seed) {
        Random r = new Random(seed);
        float[][] out = new float[n][dimension];
        for (float[] v : out) {
            for (int i = 0; i < dimension; i++) {
                v[i] = (float) r.nextGaussian();
            }
        }
        return out;
    }
}
