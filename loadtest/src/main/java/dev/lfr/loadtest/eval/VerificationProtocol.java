package dev.lfr.loadtest.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LFW verification protocol: for each fold, the distance threshold that maximises accuracy on the other folds is
 * applied to this fold; the result is the mean and standard deviation of the per-fold accuracies. Also the single
 * threshold that is best over all pairs, which the CLI uses as its default. Stateless.
 */
public final class VerificationProtocol {
    /** A scored pair: distance (smaller = more alike) and ground truth. */
    public record Scored(int fold, double distance, boolean same) {}

    public record Result(int pairs, int folds, double meanAccuracy, double stdAccuracy, double[] foldAccuracy,
                         double[] foldThreshold, double bestThreshold, double bestAccuracy) {}

    private VerificationProtocol() {}

    public static Result evaluate(List<Scored> scored) {
        int folds = scored.stream().mapToInt(Scored::fold).max().orElse(-1) + 1;
        double[] acc = new double[folds];
        double[] thr = new double[folds];
        for (int f = 0; f < folds; f++) {
            final int fold = f;
            List<Scored> train = scored.stream().filter(s -> s.fold() != fold).toList();
            List<Scored> test = scored.stream().filter(s -> s.fold() == fold).toList();
            thr[f] = bestThreshold(train);
            acc[f] = accuracy(test, thr[f]);
        }
        double mean = Arrays.stream(acc).average().orElse(Double.NaN);
        double var = Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / Math.max(1, folds - 1);
        double best = bestThreshold(scored);
        return new Result(scored.size(), folds, mean, Math.sqrt(var), acc, thr, best, accuracy(scored, best));
    }

    /** Pairs at or below the threshold are called "same". */
    public static double accuracy(List<Scored> pairs, double threshold) {
        if (pairs.isEmpty()) {
            return Double.NaN;
        }
        long correct = pairs.stream().filter(p -> (p.distance() <= threshold) == p.same()).count();
        return (double) correct / pairs.size();
    }

    /**
     * Sweeps the midpoints between consecutive sorted distances and returns the middle of the first run of thresholds
     * that reach the best accuracy, so the threshold sits in the gap between the classes rather than on its edge.
     */
    public static double bestThreshold(List<Scored> pairs) {
        Scored[] sorted = pairs.stream().sorted((a, b) -> Double.compare(a.distance(), b.distance())).toArray(Scored[]::new);
        List<Double> candidates = new ArrayList<>();
        candidates.add(sorted.length == 0 ? 0 : sorted[0].distance() - 1e-6);
        for (int i = 0; i + 1 < sorted.length; i++) {
            candidates.add((sorted[i].distance() + sorted[i + 1].distance()) / 2);
        }
        // accuracy(t) = (#same with d <= t + #different with d > t) / n, updated as t sweeps upwards
        long diffTotal = pairs.stream().filter(p -> !p.same()).count();
        double[] acc = new double[candidates.size()];
        int idx = 0;
        long sameBelow = 0;
        long diffBelow = 0;
        for (int c = 0; c < acc.length; c++) {
            while (idx < sorted.length && sorted[idx].distance() <= candidates.get(c)) {
                if (sorted[idx].same()) {
                    sameBelow++;
                } else {
                    diffBelow++;
                }
                idx++;
            }
            acc[c] = (double) (sameBelow + diffTotal - diffBelow) / Math.max(1, sorted.length);
        }
        int start = 0;
        for (int c = 1; c < acc.length; c++) {
            if (acc[c] > acc[start]) {
                start = c;
            }
        }
        int end = start;
        while (end + 1 < acc.length && acc[end + 1] == acc[start]) {
            end++;
        }
        return (candidates.get(start) + candidates.get(end)) / 2;
    }
}
