package dev.lfr.udfs.index;

/** Input checks and normalisation shared by every index. Stateless. */
final class Vectors {
    private Vectors() {}

    /** A normalised copy of {@code v}, after checking its dimension and values. */
    static float[] checkedUnit(float[] v, int dimension) {
        if (v == null || v.length != dimension) {
            throw new IllegalArgumentException("expected a " + dimension + "-D vector, got "
                    + (v == null ? "null" : v.length + "-D"));
        }
        double sum = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("vector holds NaN or an infinite value");
            }
            sum += (double) x * x;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("vector is all zeros");
        }
        float inv = (float) (1 / Math.sqrt(sum));
        float[] out = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    /** The queries normalised and laid out row after row, as FAISS takes them. */
    static float[] checkedUnitRows(float[][] queries, int dimension) {
        float[] flat = new float[queries.length * dimension];
        for (int q = 0; q < queries.length; q++) {
            System.arraycopy(checkedUnit(queries[q], dimension), 0, flat, q * dimension, dimension);
        }
        return flat;
    }

    static void checkK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
    }

    static void checkDimension(int dimension) {
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be positive, got " + dimension);
        }
    }
}
