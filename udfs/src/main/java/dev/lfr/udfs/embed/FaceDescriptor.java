package dev.lfr.udfs.embed;

import java.util.Arrays;

/**
 * An L2-normalised face descriptor and the model that made it; descriptors of different models are not comparable,
 * so every comparison checks the id. {@link #distance} is the cosine distance {@code 1 - cos}, in [0, 2]. Immutable:
 * the vector is copied in and out. Biometric data: never log or emit one for a face that did not match.
 */
public final class FaceDescriptor {
    private final String embeddingModel;
    private final float[] vector;

    public FaceDescriptor(String embeddingModel, float[] vector) {
        this.embeddingModel = embeddingModel;
        this.vector = normalised(vector);
    }

    private static float[] normalised(float[] v) {
        double sum = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("descriptor holds a non-finite value");
            }
            sum += x * x;
        }
        if (v.length == 0 || sum == 0) {
            throw new IllegalArgumentException("descriptor is empty or all zero");
        }
        float inv = (float) (1 / Math.sqrt(sum));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    public String embeddingModel() {
        return embeddingModel;
    }

    public int dimension() {
        return vector.length;
    }

    public float[] vector() {
        return vector.clone();
    }

    public double cosine(FaceDescriptor other) {
        if (!embeddingModel.equals(other.embeddingModel) || vector.length != other.vector.length) {
            throw new IllegalArgumentException("cannot compare a " + embeddingModel + " descriptor with a " + other.embeddingModel + " one");
        }
        double dot = 0;
        for (int i = 0; i < vector.length; i++) {
            dot += vector[i] * other.vector[i];
        }
        return dot;
    }

    /** Cosine distance, clamped to [0, 2] (rounding can push the cosine of a face with itself just above 1). */
    public double distance(FaceDescriptor other) {
        return Math.min(2, Math.max(0, 1 - cosine(other)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaceDescriptor d && d.embeddingModel.equals(embeddingModel) && Arrays.equals(d.vector, vector);
    }

    @Override
    public int hashCode() {
        return 31 * embeddingModel.hashCode() + Arrays.hashCode(vector);
    }

    /** Deliberately without the vector, so a stray log line cannot leak it. */
    @Override
    public String toString() {
        return "FaceDescriptor[" + embeddingModel + ", " + vector.length + "-D]";
    }
}
