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

    /** Tries the midpoints between consecutive sorted distances; ties go to the smaller threshold. */
    public static double bestThreshold(List<Scored> pairs) {
        double[] d = pairs.stream().mapToDouble(Scored::distance).sorted().toArray();
        List<Double> candidates = new ArrayList<>();
        candidates.add(d.length == 0 ? 0 : d[0] - 1e-6);
        for (int i = 0; i + 1 < d.length; i++) {
            candidates.add((d[i] + d[i + 1]) / 2);
        }
        double best = candidates.get(0);
        double bestAcc = -1;
        // sort once and sweep: accuracy(t) = (#same with d<=t + #diff with d>t) / n
        Scored[] sorted = pairs.stream().sorted((a, b) -> Double.compare(a.distance(), b.distance())).toArray(Scored[]::new);
        long diffTotal = pairs.stream().filter(p -> !p.same()).count();
        int idx = 0;
        long sameBelow = 0;
        long diffBelow = 0;
        for (double t : candidates) {
            while (idx < sorted.length && sorted[idx].distance() <= t) {
                if (sorted[idx].same()) {
                    sameBelow++;
                } else {
                    diffBelow++;
                }
                idx++;
            }
            double a = (double) (sameBelow + diffTotal - diffBelow) / Math.max(1, sorted.length);
            if (a > bestAcc) {
                bestAcc = a;
                best = t;
            }
        }
        return best;
    }
}
