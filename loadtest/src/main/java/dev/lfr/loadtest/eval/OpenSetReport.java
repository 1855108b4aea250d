package dev.lfr.loadtest.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lfr.loadtest.eval.IdentificationMetrics.Rate;
import dev.lfr.loadtest.report.LinePlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@link OpenSetEvaluation}'s outcome, written as {@code report.json} (snake_case keys), {@code report.md},
 * {@code det.png} and {@code scores.json} (the raw scores, for {@code ./lfr calibrate}). Thresholds are cosine
 * similarities (the live job's deployment threshold is the same number; the
 * model catalogue's distance thresholds are 1 minus it). Maps are keyed by the FPIR targets of {@link #FPIRS}.
 *
 * @param highestNonmated the strongest false alarms, for whoever must explain them (often label noise in the data)
 * @param atThreshold     the rates at a fixed operating threshold, or null when none was given
 * @param groupsThreshold the threshold of the per-group rates (the fixed one, else the one at FPIR 1e-3); null
 *                        without groups
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OpenSetReport(String dataset, String embedder, String enrol, String enrolmentPhotos, String thresholdKind,
                            int watchlistSize, int enrolFailures, int matedProbes, int nonmatedProbes, int fte,
                            int fteMated, int fteNonmated, double rank1, List<Double> rank1Ci95,
                            Map<String, Double> tpirAtFpir, Map<String, Double> thresholdAtFpir,
                            Map<String, List<Double>> tpirCi95, Map<String, Observed> fpirObserved,
                            Map<String, Boolean> fpirResolvable, List<NonMatedHit> highestNonmated,
                            AtThreshold atThreshold, Double groupsThreshold, Map<String, GroupRates> groups) {

    /** The FPIRs reported, as the keys of report.json: 1e-2, 1e-3, NPL's 1 in 6,000, 1e-4. */
    public static final List<String> FPIRS = List.of("0.01", "0.001", "0.000167", "0.0001");

    /** The FPIR observed at a target's threshold: the rate, the alarms behind it, and its 95% interval. */
    public record Observed(double value, long alarms, List<Double> ci95) {}

    /** A rate with its counts and 95% interval. */
    public record RateSummary(double value, long hits, long total, List<Double> ci95) {
        static RateSummary of(Rate r) {
            return new RateSummary(r.value(), r.hits(), r.total(), ci(r));
        }
    }

    /** A non-mated probe and the watchlist identity it scored highest against. */
    public record NonMatedHit(String probe, String candidate, double score) {}

    public record AtThreshold(double threshold, RateSummary tpir, RateSummary fpir) {}

    /** A group's misses among its mated probes and alarms among its non-mated ones. */
    public record GroupRates(RateSummary fnir, RateSummary fpir) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * @param groups    identity to group label, or empty
     * @param threshold a fixed operating threshold to report, or null (then per-group rates use the FPIR 1e-3 one)
     */
    public static OpenSetReport write(Path outDir, String dataset, String embedder, OpenSetEvaluation.Enrol enrol,
                                      boolean singleFaceEnrolment, OpenSetEvaluation.Result r,
                                      Map<String, String> groups, Double threshold)
            throws IOException {
        Files.createDirectories(outDir);
        IdentificationMetrics m = r.metrics();
        Map<String, Double> tpir = new LinkedHashMap<>();
        Map<String, Double> thresholds = new LinkedHashMap<>();
        Map<String, List<Double>> tpirCi = new LinkedHashMap<>();
        Map<String, Observed> fpirObserved = new LinkedHashMap<>();
        Map<String, Boolean> resolvable = new LinkedHashMap<>();
        for (String f : FPIRS) {
            double t = m.thresholdAtFpir(Double.parseDouble(f));
            Rate tp = m.tpir(t);
            Rate fp = m.fpir(t);
            tpir.put(f, tp.value());
            thresholds.put(f, t);
            tpirCi.put(f, ci(tp));
            fpirObserved.put(f, new Observed(fp.value(), fp.hits(), ci(fp)));
            resolvable.put(f, m.resolvable(Double.parseDouble(f)));
        }
        List<NonMatedHit> highest = r.nonMated().stream().filter(n -> !Double.isNaN(n.score()))
                .sorted(java.util.Comparator.comparingDouble(OpenSetEvaluation.NonMatedSearch::score).reversed())
                .limit(40).map(n -> new NonMatedHit(n.probe().toString(), n.candidate(), n.score())).toList();
        double operating = threshold != null ? threshold : m.thresholdAtFpir(0.001);
        OpenSetReport report = new OpenSetReport(dataset, embedder, enrol.name().toLowerCase(Locale.ROOT),
                singleFaceEnrolment ? "exactly one usable face" : "the face nearest the centre",
                "cosine similarity (alarm when score >= threshold)", r.watchlistSize(), r.enrolFailures(),
                m.mateScores().length, m.nonMatedScores().length, r.matedFte() + r.nonMatedFte(), r.matedFte(),
                r.nonMatedFte(), m.rank1().value(), ci(m.rank1()), tpir, thresholds, tpirCi, fpirObserved, resolvable,
                highest, threshold == null ? null : new AtThreshold(threshold, RateSummary.of(m.tpir(threshold)),
                        RateSummary.of(m.fpir(threshold))),
                groups.isEmpty() ? null : operating, groups.isEmpty() ? null : perGroup(r, groups, operating));
        JSON.writeValue(outDir.resolve("report.json").toFile(), report);
        ThresholdCalibration.write(outDir.resolve("scores.json"),
                ThresholdCalibration.Scores.of(dataset, embedder, report.enrol(), m));
        Files.writeString(outDir.resolve("report.md"), report.markdown());
        det(m, embedder + ", enrol " + report.enrol(), outDir.resolve("det.png"));
        return report;
    }

    private static List<Double> ci(Rate r) {
        return List.of(r.low(), r.high());
    }

    /** FNIR over each group's mated probes and FPIR over its non-mated probes, at one threshold. */
    static Map<String, GroupRates> perGroup(OpenSetEvaluation.Result r, Map<String, String> groups, double threshold) {
        IdentificationMetrics m = r.metrics();
        Map<String, long[]> counts = new TreeMap<>(); // misses, mated, alarms, non-mated
        for (int i = 0; i < r.matedIdentity().size(); i++) {
            long[] c = counts.computeIfAbsent(groups.getOrDefault(r.matedIdentity().get(i), "unlabelled"), g -> new long[4]);
            c[1]++;
            if (!(m.mateIsTop()[i] && m.mateScores()[i] >= threshold)) {
                c[0]++;
            }
        }
        for (int i = 0; i < r.nonMatedIdentity().size(); i++) {
            long[] c = counts.computeIfAbsent(groups.getOrDefault(r.nonMatedIdentity().get(i), "unlabelled"), g -> new long[4]);
            c[3]++;
            if (m.nonMatedScores()[i] >= threshold) {
                c[2]++;
            }
        }
        Map<String, GroupRates> out = new LinkedHashMap<>();
        counts.forEach((g, c) -> out.put(g, new GroupRates(RateSummary.of(Rate.of(c[0], c[1])),
                RateSummary.of(Rate.of(c[2], c[3])))));
        return out;
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# 1:N evaluation: %s, %s enrolment%n%n", embedder, enrol));
        md.append(String.format(Locale.ROOT, "Data: `%s`. Watchlist %d identities (%d could not be enrolled); %d mated "
                        + "and %d non-mated probes; %d probes without a usable face (counted as misses). Rank-1 %.4f.%n%n",
                dataset, watchlistSize, enrolFailures, matedProbes, nonmatedProbes, fte, rank1));
        md.append("| FPIR target | threshold (cosine) | TPIR | TPIR 95% CI | observed FPIR (alarms) | resolvable |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String f : FPIRS) {
            List<Double> c = tpirCi95.get(f);
            Observed o = fpirObserved.get(f);
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f-%.4f | %.6f (%d) | %s |%n", f,
                    thresholdAtFpir.get(f), tpirAtFpir.get(f), c.get(0), c.get(1), o.value(), o.alarms(),
                    fpirResolvable.get(f)));
        }
        md.append("\nAn FPIR target is resolvable when the non-mated probes number at least 1/FPIR; below that the "
                + "threshold sits just above the highest non-mated score and the observed FPIR is 0.\n");
        if (groups != null) {
            md.append(String.format(Locale.ROOT, "%n## Per group at threshold %.4f%n%n| group | FNIR (misses/mated) | FPIR (alarms/non-mated) |%n|---|---|---|%n",
                    groupsThreshold));
            groups.forEach((g, v) -> md.append(String.format(Locale.ROOT, "| %s | %.4f (%d/%d) | %.5f (%d/%d) |%n", g,
                    v.fnir().value(), v.fnir().hits(), v.fnir().total(), v.fpir().value(), v.fpir().hits(), v.fpir().total())));
        }
        md.append("\n![DET curve](det.png)\n");
        return md.toString();
    }

    /** The DET curve, FNIR against FPIR on log axes (points where either is 0 cannot be drawn). */
    static void det(IdentificationMetrics m, String title, Path png) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (IdentificationMetrics.DetPoint p : m.det()) {
            if (p.fpir() > 0 && p.fnir() > 0) {
                x.add(p.fpir());
                y.add(p.fnir());
            }
        }
        LinePlot.write(png, "DET: " + title, "FPIR (non-mated searches that alarm)", "FNIR (mated searches missed)", x, y,
                true);
    }
}
