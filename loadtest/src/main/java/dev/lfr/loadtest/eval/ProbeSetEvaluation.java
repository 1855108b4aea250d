package dev.lfr.loadtest.eval;

import dev.lfr.loadtest.eval.IdentificationMetrics.Rate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The multi-image protocol for walk-past fusion: a probe is a set of photos of one person, as a track is a set of
 * faces of one passer-by, and the decision is made once per set. Watchlist: every identity with two or more images,
 * enrolled from its first image (as {@link OpenSetEvaluation.Enrol#FIRST}). Mated sets: for each enrolled identity
 * with two or more other images, up to {@code setSize} of them in name order (those with a usable face; a set
 * with none is a miss). Non-mated sets: the same sets searched with their own identity left out.
 *
 * <p>Each {@link Fusion} turns a set into one score per watchlist entry; a mated set succeeds when its mate has the
 * top fused score and reaches the threshold, a non-mated set alarms when its top fused score reaches it.
 */
public final class ProbeSetEvaluation {
    /** How a set's faces become one score per watchlist entry. */
    public enum Fusion {
        /** No fusion: the set's first usable photo alone, the baseline on the same sets. */
        ONE_FACE,
        /** The best single face: what the live job does today (any face of the track alarms). */
        BEST_FACE,
        /** The mean of the faces' scores. */
        MEAN_SCORE,
        /** The score of the normalised mean descriptor. */
        MEAN_DESCRIPTOR,
        /** The score of the normalised mean descriptor, each face weighted by its quality utility. */
        QUALITY_WEIGHTED
    }

    /** The rates of one fusion: at the per-face threshold, and at set-level FPIR targets. */
    public record FusionResult(Fusion fusion, int sets, IdentificationMetrics metrics) {
        public Rate tpir(double threshold) {
            return metrics.tpir(threshold);
        }

        public Rate fpir(double threshold) {
            return metrics.fpir(threshold);
        }
    }

    private ProbeSetEvaluation() {}

    public static List<FusionResult> evaluate(List<OpenSetEvaluation.Identity> identities,
                                              OpenSetEvaluation.Embedded embedded, int setSize) {
        if (setSize < 2) {
            throw new IllegalArgumentException("a probe set has at least two images");
        }
        Map<Path, float[]> d = embedded.descriptors();
        List<float[]> templates = new ArrayList<>();
        List<List<Path>> sets = new ArrayList<>();
        for (OpenSetEvaluation.Identity id : identities) {
            if (id.images().size() < 2 || !d.containsKey(id.images().get(0))) {
                continue;
            }
            templates.add(d.get(id.images().get(0)));
            List<Path> rest = id.images().subList(1, id.images().size());
            sets.add(rest.size() >= 2 ? rest.subList(0, Math.min(setSize, rest.size())) : null);
        }
        List<FusionResult> out = new ArrayList<>();
        for (Fusion fusion : Fusion.values()) {
            List<double[]> perSet = new ArrayList<>();
            List<Integer> mates = new ArrayList<>();
            for (int w = 0; w < sets.size(); w++) {
                if (sets.get(w) == null) {
                    continue;
                }
                List<float[]> faces = new ArrayList<>();
                List<Double> weights = new ArrayList<>();
                for (Path p : sets.get(w)) {
                    if (d.containsKey(p)) {
                        faces.add(d.get(p));
                        weights.add(embedded.utility().getOrDefault(p, 1.0));
                    }
                }
                perSet.add(faces.isEmpty() ? null : fused(fusion, faces, weights, templates));
                mates.add(w);
            }
            int n = perSet.size();
            double[] mateScores = new double[n];
            boolean[] mateTop = new boolean[n];
            double[] nonMated = new double[n];
            for (int i = 0; i < n; i++) {
                double[] scores = perSet.get(i);
                if (scores == null) {
                    mateScores[i] = Double.NaN;
                    nonMated[i] = Double.NaN;
                    continue;
                }
                int mate = mates.get(i);
                double other = Double.NEGATIVE_INFINITY;
                for (int o = 0; o < scores.length; o++) {
                    if (o != mate) {
                        other = Math.max(other, scores[o]);
                    }
                }
                mateScores[i] = scores[mate];
                mateTop[i] = scores[mate] > other;
                nonMated[i] = other;
            }
            out.add(new FusionResult(fusion, n, new IdentificationMetrics(mateScores, mateTop, nonMated)));
        }
        return out;
    }

    /** One fused score per template. */
    static double[] fused(Fusion fusion, List<float[]> faces, List<Double> weights, List<float[]> templates) {
        double[] scores = new double[templates.size()];
        switch (fusion) {
            case ONE_FACE -> {
                for (int t = 0; t < templates.size(); t++) {
                    scores[t] = OpenSetEvaluation.dot(faces.get(0), templates.get(t));
                }
            }
            case BEST_FACE, MEAN_SCORE -> {
                for (int t = 0; t < templates.size(); t++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    for (float[] f : faces) {
                        double s = OpenSetEvaluation.dot(f, templates.get(t));
                        best = Math.max(best, s);
                        sum += s;
                    }
                    scores[t] = fusion == Fusion.BEST_FACE ? best : sum / faces.size();
                }
            }
            default -> { // MEAN_DESCRIPTOR, QUALITY_WEIGHTED
                float[] mean = new float[faces.get(0).length];
                for (int i = 0; i < faces.size(); i++) {
                    double w = fusion == Fusion.QUALITY_WEIGHTED ? weights.get(i) : 1;
                    for (int j = 0; j < mean.length; j++) {
                        mean[j] += (float) (w * faces.get(i)[j]);
                    }
                }
                double norm = 0;
                for (float v : mean) {
                    norm += v * v;
                }
                if (norm == 0) { // every weight 0: nothing to prefer
                    return fused(Fusion.MEAN_DESCRIPTOR, faces, weights, templates);
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int j = 0; j < mean.length; j++) {
                    mean[j] *= inv;
                }
                for (int t = 0; t < templates.size(); t++) {
                    scores[t] = OpenSetEvaluation.dot(mean, templates.get(t));
                }
            }
        }
        return scores;
    }
}
