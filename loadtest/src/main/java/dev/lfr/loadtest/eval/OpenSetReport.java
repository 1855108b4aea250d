package dev.lfr.loadtest.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Writes an {@link OpenSetEvaluation} as {@code report.json}, {@code report.md} and {@code det.png}. Thresholds
 * are cosine similarities (the live job's deployment threshold is the same number; the model catalogue's distance
 * thresholds are 1 minus it).
 */
public final class OpenSetReport {
    /** The FPIRs reported, as the keys of report.json: 1e-2, 1e-3, NPL's 1 in 6,000, 1e-4. */
    public static final List<String> FPIRS = List.of("0.01", "0.001", "0.000167", "0.0001");

    private OpenSetReport() {}

    /**
     * @param groups    identity to group label, or empty
     * @param threshold a fixed operating threshold to report, or null (then per-group rates use the FPIR 1e-3 one)
     */
    public static Map<String, Object> write(Path outDir, String dataset, String embedder, OpenSetEvaluation.Enrol enrol,
                                            boolean singleFaceEnrolment, OpenSetEvaluation.Result r,
                                            Map<String, String> groups, Double threshold)
            throws IOException {
        Files.createDirectories(outDir);
        IdentificationMetrics m = r.metrics();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("embedder", embedder);
        json.put("enrol", enrol.name().toLowerCase(Locale.ROOT));
        json.put("enrolment_photos", singleFaceEnrolment ? "exactly one usable face" : "the face nearest the centre");
        json.put("threshold_kind", "cosine similarity (alarm when score >= threshold)");
        json.put("watchlist_size", r.watchlistSize());
        json.put("enrol_failures", r.enrolFailures());
        json.put("mated_probes", m.mateScores().length);
        json.put("nonmated_probes", m.nonMatedScores().length);
        json.put("fte", r.matedFte() + r.nonMatedFte());
        json.put("fte_mated", r.matedFte());
        json.put("fte_nonmated", r.nonMatedFte());
        json.put("rank1", m.rank1().value());
        json.put("rank1_ci95", ci(m.rank1()));
        Map<String, Object> tpir = new LinkedHashMap<>();
        Map<String, Object> thresholds = new LinkedHashMap<>();
        Map<String, Object> tpirCi = new LinkedHashMap<>();
        Map<String, Object> fpirObserved = new LinkedHashMap<>();
        Map<String, Object> resolvable = new LinkedHashMap<>();
        for (String f : FPIRS) {
            double t = m.thresholdAtFpir(Double.parseDouble(f));
            Rate tp = m.tpir(t);
            Rate fp = m.fpir(t);
            tpir.put(f, tp.value());
            thresholds.put(f, t);
            tpirCi.put(f, ci(tp));
            fpirObserved.put(f, Map.of("value", fp.value(), "alarms", fp.hits(), "ci95", ci(fp)));
            resolvable.put(f, m.resolvable(Double.parseDouble(f)));
        }
        json.put("tpir_at_fpir", tpir);
        json.put("threshold_at_fpir", thresholds);
        json.put("tpir_ci95", tpirCi);
        json.put("fpir_observed", fpirObserved);
        json.put("fpir_resolvable", resolvable);
        // the strongest false alarms, for whoever must explain them (often label noise in the data)
        List<Map<String, Object>> highest = new ArrayList<>();
        r.nonMated().stream().filter(n -> !Double.isNaN(n.score()))
                .sorted(java.util.Comparator.comparingDouble(OpenSetEvaluation.NonMatedSearch::score).reversed())
                .limit(10).forEach(n -> highest.add(Map.of("probe", n.probe().toString(), "candidate", n.candidate(),
                        "score", n.score())));
        json.put("highest_nonmated", highest);
        double operating = threshold != null ? threshold : m.thresholdAtFpir(0.001);
        if (threshold != null) {
            json.put("at_threshold", Map.of("threshold", threshold, "tpir", rate(m.tpir(threshold)),
                    "fpir", rate(m.fpir(threshold))));
        }
        if (!groups.isEmpty()) {
            json.put("groups_threshold", operating);
            json.put("groups", perGroup(r, groups, operating));
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        mapper.writeValue(outDir.resolve("report.json").toFile(), json);
        Files.writeString(outDir.resolve("report.md"), markdown(json, m));
        det(m, embedder + ", enrol " + json.get("enrol"), outDir.resolve("det.png"));
        return json;
    }

    private static List<Double> ci(Rate r) {
        return List.of(r.low(), r.high());
    }

    private static Map<String, Object> rate(Rate r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", r.value());
        m.put("hits", r.hits());
        m.put("total", r.total());
        m.put("ci95", ci(r));
        return m;
    }

    /** FNIR over each group's mated probes and FPIR over its non-mated probes, at one threshold. */
    static Map<String, Object> perGroup(OpenSetEvaluation.Result r, Map<String, String> groups, double threshold) {
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
        Map<String, Object> out = new LinkedHashMap<>();
        counts.forEach((g, c) -> out.put(g, Map.of("fnir", rate(Rate.of(c[0], c[1])), "fpir", rate(Rate.of(c[2], c[3])))));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String markdown(Map<String, Object> j, IdentificationMetrics m) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# 1:N evaluation: %s, %s enrolment%n%n", j.get("embedder"), j.get("enrol")));
        md.append(String.format(Locale.ROOT, "Data: `%s`. Watchlist %d identities (%d could not be enrolled); %d mated "
                        + "and %d non-mated probes; %d probes without a usable face (counted as misses). Rank-1 %.4f.%n%n",
                j.get("dataset"), j.get("watchlist_size"), j.get("enrol_failures"), j.get("mated_probes"),
                j.get("nonmated_probes"), j.get("fte"), (Double) j.get("rank1")));
        md.append("| FPIR target | threshold (cosine) | TPIR | TPIR 95% CI | observed FPIR (alarms) | resolvable |\n");
        md.append("|---|---|---|---|---|---|\n");
        Map<String, Object> tpir = (Map<String, Object>) j.get("tpir_at_fpir");
        Map<String, Object> th = (Map<String, Object>) j.get("threshold_at_fpir");
        Map<String, Object> ci = (Map<String, Object>) j.get("tpir_ci95");
        Map<String, Object> obs = (Map<String, Object>) j.get("fpir_observed");
        Map<String, Object> res = (Map<String, Object>) j.get("fpir_resolvable");
        for (String f : FPIRS) {
            List<Double> c = (List<Double>) ci.get(f);
            Map<String, Object> o = (Map<String, Object>) obs.get(f);
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f-%.4f | %.6f (%d) | %s |%n", f, (Double) th.get(f),
                    (Double) tpir.get(f), c.get(0), c.get(1), (Double) o.get("value"), (Long) o.get("alarms"), res.get(f)));
        }
        md.append("\nAn FPIR target is resolvable when the non-mated probes number at least 1/FPIR; below that the "
                + "threshold sits just above the highest non-mated score and the observed FPIR is 0.\n");
        if (j.containsKey("groups")) {
            md.append(String.format(Locale.ROOT, "%n## Per group at threshold %.4f%n%n| group | FNIR (misses/mated) | FPIR (alarms/non-mated) |%n|---|---|---|%n",
                    (Double) j.get("groups_threshold")));
            ((Map<String, Object>) j.get("groups")).forEach((g, v) -> {
                Map<String, Map<String, Object>> gv = (Map<String, Map<String, Object>>) v;
                md.append(String.format(Locale.ROOT, "| %s | %.4f (%d/%d) | %.5f (%d/%d) |%n", g,
                        (Double) gv.get("fnir").get("value"), (Long) gv.get("fnir").get("hits"), (Long) gv.get("fnir").get("total"),
                        (Double) gv.get("fpir").get("value"), (Long) gv.get("fpir").get("hits"), (Long) gv.get("fpir").get("total")));
            });
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
