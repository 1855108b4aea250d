package dev.lfr.loadtest.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lfr.loadtest.report.LinePlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** A replay's outcome as {@code report.json}, {@code report.md}, {@code latency_cdf.png} and {@code lag.png}. */
public final class ReplayReport {
    private ReplayReport() {}

    /** The latency summary of report.json: count, p50, p90, p99, max (ms); nulls when there was no alert. */
    public static Map<String, Object> latency(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean any = h.getTotalCount() > 0;
        m.put("count", h.getTotalCount());
        m.put("p50_ms", any ? h.getValueAtPercentile(50) : null);
        m.put("p90_ms", any ? h.getValueAtPercentile(90) : null);
        m.put("p99_ms", any ? h.getValueAtPercentile(99) : null);
        m.put("max_ms", any ? h.getMaxValue() : null);
        return m;
    }

    public static Map<String, Object> write(Path outDir, Map<String, Object> settings, FrameReplayer.Result sent,
                                            GroundTruthMatcher.Score score, Histogram latency,
                                            List<LagMonitor.Sample> lag) throws IOException {
        Files.createDirectories(outDir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", settings);
        Map<String, Object> throughput = new LinkedHashMap<>();
        throughput.put("frames", sent.frames());
        throughput.put("seconds", sent.seconds());
        throughput.put("offered_fps", sent.offeredFps() > 0 ? sent.offeredFps() : null);
        throughput.put("achieved_fps", sent.achievedFps());
        throughput.put("job_consumed_fps", nullIfNaN(LagMonitor.consumedPerSecond(lag, false)));
        if (sent.offeredFps() <= 0) { // as fast as possible: the backlog after production shows the job alone
            throughput.put("job_consumed_fps_after_production", nullIfNaN(LagMonitor.consumedPerSecond(lag, true)));
        }
        throughput.put("max_lag_frames", lag.stream().mapToLong(LagMonitor.Sample::lag).max().orElse(0));
        json.put("throughput", throughput);
        json.put("latency", latency(latency));
        if (score != null) {
            Map<String, Object> gt = new LinkedHashMap<>();
            gt.put("alerts", score.alerts());
            gt.put("true_alerts", score.trueAlerts());
            gt.put("false_alerts", score.falseAlerts());
            gt.put("enrolled_walk_pasts", score.enrolledWalkPasts());
            gt.put("missed_walk_pasts", score.missed());
            gt.put("tpir", nullIfNaN(score.tpir()));
            gt.put("faces", score.faces());
            gt.put("false_alerts_per_1000_faces", nullIfNaN(score.falseAlertsPer1000Faces()));
            json.put("ground_truth", gt);
        }
        List<Map<String, Object>> lagSeries = new ArrayList<>();
        for (LagMonitor.Sample s : lag) {
            lagSeries.add(Map.of("at_ms", s.atMs(), "lag", s.lag()));
        }
        json.put("lag", lagSeries);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve("report.json").toFile(), json);
        Files.writeString(outDir.resolve("report.md"), markdown(json));
        latencyCdf(latency, outDir.resolve("latency_cdf.png"));
        lagPlot(lag, outDir.resolve("lag.png"));
        return json;
    }

    private static Object nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    @SuppressWarnings("unchecked")
    private static String markdown(Map<String, Object> j) {
        Map<String, Object> t = (Map<String, Object>) j.get("throughput");
        Map<String, Object> l = (Map<String, Object>) j.get("latency");
        StringBuilder md = new StringBuilder("# Replay report\n\n");
        md.append("Settings: `").append(j.get("settings")).append("`\n\n");
        md.append("| throughput | value |\n|---|---|\n");
        t.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(format(v)).append(" |\n"));
        md.append("\n| frame-to-alert latency | ms |\n|---|---|\n");
        l.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(format(v)).append(" |\n"));
        if (j.containsKey("ground_truth")) {
            md.append("\n| against ground truth | value |\n|---|---|\n");
            ((Map<String, Object>) j.get("ground_truth")).forEach((k, v) ->
                    md.append("| ").append(k).append(" | ").append(format(v)).append(" |\n"));
        }
        md.append("\n![latency CDF](latency_cdf.png)\n\n![consumer lag](lag.png)\n");
        return md.toString();
    }

    private static String format(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v);
    }

    static void latencyCdf(Histogram h, Path png) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (var v : h.recordedValues()) {
                x.add((double) h.highestEquivalentValue(v.getValueIteratedTo()));
                y.add(100.0 * v.getTotalCountToThisValue() / h.getTotalCount());
            }
        }
        LinePlot.write(png, "Frame-to-alert latency (CDF)", "latency (ms)", "alerts (%)", x, y, false);
    }

    static void lagPlot(List<LagMonitor.Sample> lag, Path png) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (LagMonitor.Sample s : lag) {
            x.add(s.atMs() / 1000.0);
            y.add((double) s.lag());
        }
        LinePlot.write(png, "Consumer lag of the job on the frames topic", "time (s)", "frames behind", x, y, false);
    }
}
