package dev.lfr.loadtest.eval;

import dev.lfr.loadtest.eval.IdentificationMetrics.Rate;
import java.util.List;
import java.util.Locale;

/** {@link ProbeSetEvaluation}'s outcome as {@code probe-sets.md}. */
public final class ProbeSetReport {
    private ProbeSetReport() {}

    /**
     * @param perFaceThreshold the threshold at FPIR 1e-3 per face of the single-image protocol on the same watchlist
     */
    public static String markdown(List<ProbeSetEvaluation.FusionResult> results, int setSize, double perFaceThreshold,
                                  String embedder, boolean corrected) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Probe sets of up to %d photos: %s, first-photo enrolment%s%n%n", setSize,
                embedder, corrected ? ", label corrections applied" : ""));
        md.append(String.format(Locale.ROOT, "%d mated sets, each also searched as a non-mated set with its own identity "
                + "left out. Threshold %.4f: FPIR 1e-3 per face in the single-image protocol.%n%n",
                results.isEmpty() ? 0 : results.get(0).sets(), perFaceThreshold));
        md.append("| fusion | TPIR at the per-face threshold (95% CI) | set FPIR there (alarms) | TPIR at set FPIR 1e-2 "
                + "| its threshold |\n|---|---|---|---|---|\n");
        for (ProbeSetEvaluation.FusionResult r : results) {
            Rate tp = r.tpir(perFaceThreshold);
            Rate fp = r.fpir(perFaceThreshold);
            double t2 = r.metrics().thresholdAtFpir(0.01);
            md.append(String.format(Locale.ROOT, "| %s | %.4f (%.4f-%.4f) | %.4f (%d of %d) | %.4f | %.4f |%n",
                    r.fusion().name().toLowerCase(Locale.ROOT).replace('_', ' '), tp.value(), tp.low(), tp.high(),
                    fp.value(), fp.hits(), fp.total(), r.tpir(t2).value(), t2));
        }
        return md.toString();
    }
}
