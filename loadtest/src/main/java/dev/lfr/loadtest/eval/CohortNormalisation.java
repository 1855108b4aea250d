package dev.lfr.loadtest.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Symmetric cohort score normalisation for 1:N search, using only what a deployment has: the watchlist and the
 * search's own results. A watchlist entry that resembles many others (a "hub", such as one face that draws
 * look-alikes) and a probe that resembles many entries both score high against strangers; subtracting half the mean
 * of each one's k nearest cosine similarities evens that out:
 * {@code score' = score - (entryCohort + probeCohort) / 2}, where entryCohort is the mean similarity of the entry to
 * its k most similar other entries, and probeCohort the mean of the probe's 2nd to (k+1)th best scores (its best is
 * the candidate itself). With k = 0 scores are left as they are.
 */
final class CohortNormalisation {
    private final List<float[]> templates;
    private final int k;
    private final double[] entryCohort;

    CohortNormalisation(List<float[]> templates, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("the cohort size must be 0 or more");
        }
        this.templates = templates;
        this.k = Math.min(k, Math.max(0, templates.size() - 2));
        this.entryCohort = new double[templates.size()];
        if (this.k > 0) {
            double[] row = new double[templates.size() - 1];
            for (int t = 0; t < templates.size(); t++) {
                int n = 0;
                for (int o = 0; o < templates.size(); o++) {
                    if (o != t) {
                        row[n++] = OpenSetEvaluation.dot(templates.get(t), templates.get(o));
                    }
                }
                entryCohort[t] = meanOfTop(row, 0, this.k);
            }
        }
    }

    /** The probe's normalised score against every entry, {@code excluded} (-1: none) left out as -infinity. */
    double[] scores(float[] probe, int excluded) {
        double[] raw = new double[templates.size()];
        for (int t = 0; t < raw.length; t++) {
            raw[t] = t == excluded ? Double.NEGATIVE_INFINITY : OpenSetEvaluation.dot(probe, templates.get(t));
        }
        if (k == 0) {
            return raw;
        }
        double probeCohort = meanOfTop(raw, 1, k);
        double[] out = new double[raw.length];
        for (int t = 0; t < raw.length; t++) {
            out[t] = raw[t] - (entryCohort[t] + probeCohort) / 2;
        }
        return out;
    }

    /** The mean of the values ranked {@code skip+1} to {@code skip+count} from the top (-infinity left out). */
    private static double meanOfTop(double[] values, int skip, int count) {
        double[] sorted = Arrays.stream(values).filter(v -> v != Double.NEGATIVE_INFINITY).sorted().toArray();
        int end = sorted.length - skip;
        int start = Math.max(0, end - count);
        double sum = 0;
        for (int i = start; i < end; i++) {
            sum += sorted[i];
        }
        return end > start ? sum / (end - start) : 0;
    }
}
