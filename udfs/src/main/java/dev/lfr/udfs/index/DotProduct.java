package dev.lfr.udfs.index;

import org.slf4j.LoggerFactory;

/**
 * Float dot products for the Java index: the Vector API ({@code jdk.incubator.vector}) when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, else a scalar loop with four accumulators. Stateless, thread-safe.
 */
abstract class DotProduct {
    /** {@code sum(a[aOff + i] * b[bOff + i])} for i in [0, n). */
    abstract float dot(float[] a, int aOff, float[] b, int bOff, int n);

    abstract String name();

    static final DotProduct BEST = pick();

    private static DotProduct pick() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (DotProduct) Class.forName("dev.lfr.udfs.index.VectorApiDotProduct").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                LoggerFactory.getLogger(DotProduct.class).warn("Vector API present but unusable ({}); scalar dot products", e.toString());
            }
        }
        return new Scalar();
    }

    static final class Scalar extends DotProduct {
        @Override
        float dot(float[] a, int aOff, float[] b, int bOff, int n) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += a[aOff + i] * b[bOff + i];
                s1 += a[aOff + i + 1] * b[bOff + i + 1];
                s2 += a[aOff + i + 2] * b[bOff + i + 2];
                s3 += a[aOff + i + 3] * b[bOff + i + 3];
            }
            for (; i < n; i++) {
                s0 += a[aOff + i] * b[bOff + i];
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        String name() {
            return "scalar";
        }
    }
}
