package dev.lfr.loadtest.bench;

import dev.lfr.udfs.index.WatchlistIndex;
import java.util.Random;

/**
 * Synthetic rows clustered like face descriptors: 2,000 random unit centres, each row a centre plus Gaussian noise
 * of norm about 0.6 (neighbours within a cluster have cosine about 0.85). Uniform random vectors would be the worst
 * case for HNSW, which real descriptors are not. Regenerated from the seed rather than held in memory.
 */
final class ClusteredRows {
    static final int CENTRES = 2000;
    private static final int CHUNK = 20_000;

    final int dim;
    final long seed;
    final float[][] centres;
    final double noise;

    ClusteredRows(int dim, long seed) {
        this.dim = dim;
        this.seed = seed;
        this.noise = 0.6 / Math.sqrt(dim);
        Random r = new Random(seed);
        centres = new float[CENTRES][dim];
        for (float[] c : centres) {
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                c[i] = (float) r.nextGaussian();
                norm += c[i] * c[i];
            }
            for (int i = 0; i < dim; i++) {
                c[i] /= (float) Math.sqrt(norm);
            }
        }
    }

    float[] row(Random r) {
        float[] c = centres[r.nextInt(CENTRES)];
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = c[i] + (float) (noise * r.nextGaussian());
        }
        return v;
    }

    void fill(WatchlistIndex index, int rows) {
        Random r = new Random(seed + 1);
        for (int start = 0; start < rows; start += CHUNK) {
            int n = Math.min(CHUNK, rows - start);
            long[] ids = new long[n];
            float[][] vs = new float[n][];
            for (int i = 0; i < n; i++) {
                ids[i] = start + i;
                vs[i] = row(r);
            }
            index.upsertAll(ids, vs);
        }
    }

    float[][] queries(int n) {
        Random r = new Random(seed + 2);
        float[][] q = new float[n][];
        for (int i = 0; i < n; i++) {
            q[i] = row(r);
        }
        return q;
    }
}
