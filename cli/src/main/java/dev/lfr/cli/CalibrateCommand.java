package dev.lfr.cli;

import dev.lfr.loadtest.eval.ThresholdCalibration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "calibrate", description = {
        "Picks a deployment threshold for a target FPIR from an evaluation's scores (./lfr eval writes",
        "OUTDIR/scores.json), with the FPIR and TPIR observed there and a bootstrap interval of the threshold."})
final class CalibrateCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--scores", paramLabel = "FILE", required = true, description = "scores.json of ./lfr eval")
    Path scores;

    @Option(names = "--target-fpir", paramLabel = "F", required = true,
            description = "the share of non-mated searches allowed to alarm, e.g. 1e-3")
    double targetFpir;

    @Option(names = "--bootstrap", paramLabel = "N", description = "bootstrap resamples for the threshold's interval (default 2000)")
    int bootstrap = 2000;

    @Option(names = "--json", description = "print the calibration as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(scores)) {
            throw new UserError("no such scores file: " + scores + " (./lfr eval --data DIR --out OUTDIR writes OUTDIR/scores.json)");
        }
        if (!(targetFpir > 0 && targetFpir < 1)) {
            throw new UserError("--target-fpir must be between 0 and 1, got " + targetFpir);
        }
        if (bootstrap < 0) {
            throw new UserError("--bootstrap must be 0 or more");
        }
        ThresholdCalibration.Scores s;
        dev.lfr.loadtest.eval.IdentificationMetrics metrics;
        try {
            s = ThresholdCalibration.read(scores);
            metrics = s.metrics();
        } catch (java.io.IOException | RuntimeException e) { // unreadable, or a field missing or null
            throw new UserError("not a scores file of ./lfr eval: " + scores);
        }
        if (metrics.nonMatedScores().length == 0) {
            throw new UserError(scores + " holds no non-mated search to calibrate on");
        }
        ThresholdCalibration.Calibration c = ThresholdCalibration.calibrate(metrics, targetFpir, bootstrap, 1);
        if (json) {
            printJson(c);
            return 0;
        }
        out().printf(Locale.ROOT, "%s, %s enrolment, %s: %d non-mated searches%n", s.embedder(), s.enrol(), s.dataset(),
                c.nonMatedSearches());
        out().printf(Locale.ROOT, "threshold %.4f (cosine similarity; catalogue distance %.4f), 95%% bootstrap interval %.4f-%.4f%n",
                c.threshold(), c.catalogDistance(), c.thresholdCi95().get(0), c.thresholdCi95().get(1));
        out().printf(Locale.ROOT, "FPIR there %.6f (%d alarms), 95%% CI %.6f-%.6f; TPIR %.4f, 95%% CI %.4f-%.4f%n",
                c.fpir().value(), c.fpir().hits(), c.fpir().low(), c.fpir().high(), c.tpir().value(), c.tpir().low(),
                c.tpir().high());
        if (!c.resolvable()) {
            out().printf(Locale.ROOT, "not resolvable: %d non-mated searches cannot observe an FPIR of %s (at least %d are needed);"
                    + " the threshold sits just above the highest non-mated score%n", c.nonMatedSearches(), targetFpir,
                    (long) Math.ceil(1 / targetFpir));
        }
        return 0;
    }
}
