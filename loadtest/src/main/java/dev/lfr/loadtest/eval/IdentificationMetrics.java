package dev.lfr.loadtest.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Open-set (1:N) identification rates, as NIST FRVT and NPL report them. A mated search succeeds at threshold t
 * when the mate is the top candidate and scores at least t (TPIR); a non-mated search alarms when its top candidate
 * scores at least t (FPIR). Probes with no usable face (failure to extract) count as failed mated searches and as
 * non-alarming non-mated searches; they stay in both denominators. Scores are similarities: higher is more alike.
 *
 * @param mateScores     per mated probe, the mate's score, or NaN when no face was extracted
 * @param mateIsTop      per mated probe, whether the mate outscored every other watchlist entry
 * @param nonMatedScores per non-mated probe, the top score, or NaN when no face was extracted
 */
public record IdentificationMetrics(double[] mateScores, boolean[] mateIsTop, double[] nonMatedScores) {

    /** A rate with its 95% Wilson score interval. */
    public record Rate(long hits, long total, double value, double low, double high) {
        static Rate of(long hits, long total) {
            if (total == 0) {
                return new Rate(0, 0, Double.NaN, Double.NaN, Double.NaN);
            }
            double z = 1.959963984540054;
            double p = (double) hits / total;
            double denom = 1 + z * z / total;
            double centre = (p + z * z / (2.0 * total)) / denom;
            double half = z * Math.sqrt(p * (1 - p) / total + z * z / (4.0 * total * total)) / denom;
            return new Rate(hits, total, p, Math.max(0, centre - half), Math.min(1, centre + half));
        }
    }

    /** One point of the DET curve. */
    public record DetPoint(double threshold, double fpir, double fnir) {}

    public IdentificationMetrics {
        if (mateScores.length != mateIsTop.length) {
            throw new IllegalArgumentException("one mate-is-top flag per mated probe");
        }
    }

    public Rate tpir(double threshold) {
        long hits = 0;
        for (int i = 0; i < mateScores.length; i++) {
            if (mateIsTop[i] && mateScores[i] >= threshold) { // NaN compares false: a failure to extract misses
                hits++;
            }
        }
        return Rate.of(hits, mateScores.length);
    }

    public Rate fpir(double threshold) {
        long alarms = Arrays.stream(nonMatedScores).filter(s -> s >= threshold).count();
        return Rate.of(alarms, nonMatedScores.length);
    }

    /** Rank-1 identification rate without a threshold. */
    public Rate rank1() {
        long hits = 0;
        for (int i = 0; i < mateIsTop.length; i++) {
            if (mateIsTop[i] && !Double.isNaN(mateScores[i])) {
                hits++;
            }
        }
        return Rate.of(hits, mateIsTop.length);
    }

    /**
     * The lowest threshold whose FPIR does not exceed {@code targetFpir}: at most floor(target x N) non-mated probes
     * alarm. When that floor is 0 the threshold lies just above the highest non-mated score, and the FPIR target is
     * finer than the probes can resolve (see {@link #resolvable}).
     */
    public double thresholdAtFpir(double targetFpir) {
        double[] sorted = extracted(nonMatedScores);
        Arrays.sort(sorted);
        int allowed = (int) Math.floor(targetFpir * nonMatedScores.length + 1e-9);
        if (sorted.length == 0 || allowed >= sorted.length) {
            return Double.NEGATIVE_INFINITY;
        }
        // the (allowed+1)-th highest score must not alarm; ties with it cannot alarm either
        return Math.nextUp(sorted[sorted.length - 1 - allowed]);
    }

    /** Whether there are enough non-mated probes to observe an FPIR of {@code targetFpir} (at least one alarm). */
    public boolean resolvable(double targetFpir) {
        return targetFpir * nonMatedScores.length >= 1;
    }

    /** FNIR against FPIR at every distinct non-mated score (the thresholds where FPIR changes), high to low. */
    public List<DetPoint> det() {
        double[] thresholds = extracted(nonMatedScores);
        Arrays.sort(thresholds);
        List<DetPoint> points = new ArrayList<>();
        double last = Double.NaN;
        for (int i = thresholds.length - 1; i >= 0; i--) {
            double t = thresholds[i];
            if (t == last) {
                continue;
            }
            last = t;
            points.add(new DetPoint(t, fpir(t).value(), 1 - tpir(t).value()));
        }
        return points;
    }

    private static double[] extracted(double[] scores) {
        return Arrays.stream(scores).filter(s -> !Double.isNaN(s)).toArray();
    }
}
