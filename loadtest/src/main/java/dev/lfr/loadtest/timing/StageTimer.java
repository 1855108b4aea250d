package dev.lfr.loadtest.timing;

import org.HdrHistogram.Histogram;

/** Times a piece of work repeatedly after a warm-up, into an HdrHistogram (microsecond resolution). */
public final class StageTimer {
    /** Milliseconds per call (divided by {@code unitsPerCall} where one call does several units of work). */
    public record Stats(double meanMs, double p50Ms, double p99Ms, int samples) {}

    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private StageTimer() {}

    public static Stats time(int warmup, int iterations, double unitsPerCall, Work work) throws Exception {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            work.run();
            h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        }
        double per = 1000.0 * unitsPerCall;
        return new Stats(h.getMean() / per, h.getValueAtPercentile(50) / per, h.getValueAtPercentile(99) / per,
                iterations);
    }
}
