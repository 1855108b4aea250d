package dev.lfr.loadtest.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.loadtest.eval.IdentificationMetrics.Rate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks a deployment threshold for a target FPIR from an evaluation's scores ({@code scores.json}), with how sure
 * that pick is: the FPIR and TPIR observed at it (95% Wilson intervals) and a 95% bootstrap interval of the
 * threshold itself (the non-mated searches resampled with replacement), which says how far the threshold would move
 * on another sample of passers-by of the same kind.
 */
public final class ThresholdCalibration {
    /** An evaluation's raw scores: per mated probe its mate's score (null: no face) and whether it ranked first. */
    public record Scores(String dataset, String embedder, String enrol, List<Double> mated, List<Boolean> mateIsTop,
                         List<Double> nonMated) {
        public static Scores of(String dataset, String embedder, String enrol, IdentificationMetrics m) {
            List<Boolean> top = new ArrayList<>();
            for (boolean b : m.mateIsTop()) {
                top.add(b);
            }
            return new Scores(dataset, embedder, enrol, boxed(m.mateScores()), top, boxed(m.nonMatedScores()));
        }

        public IdentificationMetrics metrics() {
            boolean[] top = new boolean[mateIsTop.size()];
            for (int i = 0; i < top.length; i++) {
                top[i] = mateIsTop.get(i);
            }
            return new IdentificationMetrics(unboxed(mated), top, unboxed(nonMated));
        }

        private static List<Double> boxed(double[] v) {
            return Arrays.stream(v).mapToObj(x -> Double.isNaN(x) ? null : x).toList();
        }

        private static double[] unboxed(List<Double> v) {
            return v.stream().mapToDouble(x -> x == null ? Double.NaN : x).toArray();
        }
    }

    /**
     * @param threshold      the lowest cosine similarity at which at most the target share of non-mated searches alarm
     * @param thresholdCi95  2.5th and 97.5th percentiles of the same pick over bootstrap resamples
     * @param resolvable     whether the non-mated searches number at least 1/target (otherwise the threshold sits
     *                       just above the highest non-mated score and says little)
     * @param catalogDistance the same threshold as the model catalogue writes it (1 - similarity)
     */
    public record Calibration(double targetFpir, int nonMatedSearches, boolean resolvable, double threshold,
                              List<Double> thresholdCi95, double catalogDistance, Rate fpir, Rate tpir) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private ThresholdCalibration() {}

    public static Scores read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Scores.class);
    }

    public static void write(Path file, Scores scores) throws IOException {
        JSON.writeValue(file.toFile(), scores);
    }

    public static Calibration calibrate(IdentificationMetrics m, double targetFpir, int bootstrapRounds, long seed) {
        if (!(targetFpir > 0 && targetFpir < 1)) {
            throw new IllegalArgumentException("the target FPIR must be between 0 and 1, got " + targetFpir);
        }
        double t = m.thresholdAtFpir(targetFpir);
        double[] nonMated = m.nonMatedScores();
        double[] picks = new double[bootstrapRounds];
        SplittableRandom random = new SplittableRandom(seed);
        double[] sample = new double[nonMated.length];
        IdentificationMetrics resampled = new IdentificationMetrics(new double[0], new boolean[0], sample);
        for (int b = 0; b < bootstrapRounds; b++) {
            for (int i = 0; i < sample.length; i++) {
                sample[i] = nonMated[random.nextInt(nonMated.length)];
            }
            picks[b] = resampled.thresholdAtFpir(targetFpir);
        }
        Arrays.sort(picks);
        List<Double> ci = bootstrapRounds == 0 ? List.of(t, t)
                : List.of(picks[(int) Math.floor(0.025 * (bootstrapRounds - 1))],
                        picks[(int) Math.ceil(0.975 * (bootstrapRounds - 1))]);
        return new Calibration(targetFpir, nonMated.length, m.resolvable(targetFpir), t, ci, 1 - t, m.fpir(t), m.tpir(t));
    }
}
