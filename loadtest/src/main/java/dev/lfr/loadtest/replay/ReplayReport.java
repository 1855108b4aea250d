package dev.lfr.loadtest.replay;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lfr.loadtest.report.LinePlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A replay's outcome, written as {@code report.json} (snake_case keys), {@code report.md}, {@code latency_cdf.png}
 * and {@code lag.png}.
 *
 * @param groundTruth null where the frames carried no ground truth (a video, a folder of images)
 * @param modelOnly   null unless the replay measured the model-only bound
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplayReport(Settings settings, Throughput throughput, Latency latency, MetricsDelay metricsDelay,
                           MetricsMonitor.Totals jobCounts, RefusedFrames refusedFrames, GroundTruth groundTruth,
                           ModelOnlyBound.Description modelOnly, Capacity capacity, List<LagPoint> lag) {

    /**
     * Frames the job refused (dead letters of the frames topic for the replay's cameras), by reason code: every other
     * figure covers only the frames the job used.
     */
    public record RefusedFrames(long frames, Map<String, Long> byReason) {}

    /**
     * What was replayed and how.
     *
     * @param source       what the frames show (walk-pasts of whom, a video, images)
     * @param note         a caveat on the figures, or null
     * @param fpsPerCamera null when frames were sent as fast as possible
     * @param watchlistUpdatesSent watchlist updates made while the frames were sent
     */
    public record Settings(String source, String note, int cameras, Double fpsPerCamera, int durationS,
                           int latencyWarmupS, int watchlistUpdatesPerMinute, long watchlistUpdatesSent,
                           String deployment, String embeddingModel, float threshold) {}

    /**
     * Frames sent and consumed; rates in frames a second, null where not measured. {@code senderCores}: the cores the
     * load generator's sending thread used while sending (CPU seconds over wall seconds); {@code processCores}: the
     * same for the whole replay process (with the broker and the job when they run in it). {@code jobRestarts}: how
     * often the local job restarted while the replay ran (null where the job runs elsewhere); above 0, every figure
     * includes its recoveries.
     */
    public record Throughput(long frames, double seconds, Double offeredFps, double achievedFps, Double jobConsumedFps,
                             Double jobConsumedFpsAfterProduction, long maxLagFrames, Double senderCores,
                             Double processCores, Integer jobRestarts) {}

    /**
     * The job's cost where it runs in processes of its own (a local cluster): each watched process's CPU from the
     * first frame sent until the backlog was drained, the TaskManagers' cores together, and the frames the job
     * consumed per CPU second of theirs (frames per core: the capacity model's unit, clear of the broker and the load
     * generator). With the model-only bound: what ONNX Runtime alone does per core on the same work, and the ratio.
     */
    public record Capacity(double seconds, long framesConsumed, List<StackCpu.Used> processes, Double jobCores,
                           Double framesPerJobCore, Double modelFramesPerCore, Double jobOverModelPerCore) {
        static Capacity of(double seconds, long framesConsumed, List<StackCpu.Used> used) {
            double jobCpuS = used.stream().filter(u -> StackCpu.TASKMANAGER.equals(u.role()))
                    .mapToDouble(StackCpu.Used::cpuSeconds).sum();
            return new Capacity(seconds, framesConsumed, used, StackCpu.jobCores(used),
                    jobCpuS > 0 ? framesConsumed / jobCpuS : null, null, null);
        }

        Capacity against(ModelOnlyBound.Description bound) {
            Double modelPerCore = bound.boundFps() == null ? null : bound.boundFps() / bound.parallelism();
            return new Capacity(seconds, framesConsumed, processes, jobCores, framesPerJobCore, modelPerCore,
                    framesPerJobCore == null || modelPerCore == null ? null : framesPerJobCore / modelPerCore);
        }
    }

    /** Frame-to-alert latency in milliseconds; percentiles null when there was no alert. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Latency(long count, Long p50Ms, Long p90Ms, Long p99Ms, Long maxMs) {
        public static Latency of(Histogram h) {
            boolean any = h.getTotalCount() > 0;
            return new Latency(h.getTotalCount(), any ? h.getValueAtPercentile(50) : null,
                    any ? h.getValueAtPercentile(90) : null, any ? h.getValueAtPercentile(99) : null,
                    any ? h.getMaxValue() : null);
        }
    }

    /**
     * How long after each metric window's end its first record was readable (read_committed), in milliseconds; and
     * the windows that were written more than once.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MetricsDelay(long windows, Long p50Ms, Long p90Ms, Long p99Ms, Long maxMs, long repeatedWindows) {
        static MetricsDelay of(MetricsMonitor m) {
            Latency l = Latency.of(m.delayMs());
            return new MetricsDelay(l.count(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs(), m.repeatedWindows());
        }
    }

    /** Alerts scored against the walk-pasts the replay staged. */
    public record GroundTruth(int alerts, int trueAlerts, int falseAlerts, int enrolledWalkPasts, int missedWalkPasts,
                              Double tpir, long faces, Double falseAlertsPer1000Faces, int splitWalkPasts,
                              List<GroundTruthMatcher.FalseAlert> falseAlertList) {
        static GroundTruth of(GroundTruthMatcher.Score s) {
            return new GroundTruth(s.alerts(), s.trueAlerts(), s.falseAlerts(), s.enrolledWalkPasts(), s.missed(),
                    nullIfNaN(s.tpir()), s.faces(), nullIfNaN(s.falseAlertsPer1000Faces()), s.splitWalkPasts(),
                    s.falseAlertList());
        }
    }

    /** The job's consumer lag on the frames topic at a moment. */
    public record LagPoint(long atMs, long lag) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** Scores the run and writes the report files. */
    public static ReplayReport write(Path outDir, Settings settings, FrameReplayer.Result sent,
                                     GroundTruthMatcher.Score score, Histogram latency, MetricsMonitor metrics,
                                     RefusedFrames refused, List<LagMonitor.Sample> lag, Capacity capacity,
                                     Integer jobRestarts) throws IOException {
        Throughput throughput = new Throughput(sent.frames(), sent.seconds(),
                sent.offeredFps() > 0 ? sent.offeredFps() : null, sent.achievedFps(),
                nullIfNaN(LagMonitor.consumedPerSecond(lag, false)),
                // as fast as possible: the backlog after production shows the job alone
                sent.offeredFps() <= 0 ? nullIfNaN(LagMonitor.consumedPerSecond(lag, true)) : null,
                lag.stream().mapToLong(LagMonitor.Sample::lag).max().orElse(0),
                sent.seconds() > 0 ? sent.senderCpuS() / sent.seconds() : null,
                sent.seconds() > 0 && sent.processCpuS() >= 0 ? sent.processCpuS() / sent.seconds() : null,
                jobRestarts);
        ReplayReport report = new ReplayReport(settings, throughput, Latency.of(latency), MetricsDelay.of(metrics),
                metrics.totals(), refused.frames() == 0 ? null : refused, score == null ? null : GroundTruth.of(score),
                null, capacity,
                lag.stream().map(s -> new LagPoint(s.atMs(), s.lag())).toList());
        Files.createDirectories(outDir);
        report.writeJson(outDir);
        Files.writeString(outDir.resolve("report.md"), report.markdown());
        latencyCdf(latency, outDir.resolve("latency_cdf.png"));
        lagPlot(lag, outDir.resolve("lag.png"));
        return report;
    }

    /** This report with the model-only bound added, written again. */
    public ReplayReport withModelOnly(ModelOnlyBound.Description bound, Path outDir) throws IOException {
        ReplayReport r = new ReplayReport(settings, throughput, latency, metricsDelay, jobCounts, refusedFrames,
                groundTruth, bound,
                capacity == null ? null : capacity.against(bound), lag);
        r.writeJson(outDir);
        Files.writeString(outDir.resolve("report.md"), r.markdown());
        return r;
    }

    private void writeJson(Path outDir) throws IOException {
        JSON.writeValue(outDir.resolve("report.json").toFile(), this);
    }

    /** A record's fields as snake_case name to value, in declaration order (for tables and one-line summaries). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> fields(Object record) {
        return JSON.convertValue(record, java.util.LinkedHashMap.class);
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private String markdown() {
        StringBuilder md = new StringBuilder("# Replay report\n\n");
        table(md, "settings", "value", settings);
        table(md, "throughput", "value", throughput);
        table(md, "frame-to-alert latency", "ms", latency);
        table(md, "metrics delay (window end to readable)", "ms", metricsDelay);
        table(md, "the job's counts (its published all-camera windows)", "value", jobCounts);
        if (refusedFrames != null) {
            md.append("\n**The job refused ").append(refusedFrames.frames())
                    .append(" of the frames sent** (dead letters); the figures cover only the frames it used.\n");
            table(md, "refused frames by reason", "frames", refusedFrames.byReason());
        }
        if (groundTruth != null) {
            table(md, "against ground truth", "value", groundTruth);
            if (!groundTruth.falseAlertList().isEmpty()) {
                md.append("\n| false alert: subject | cameras | first seen (ms) | best score | in view then |\n|---|---|---|---|---|\n");
                for (GroundTruthMatcher.FalseAlert f : groundTruth.falseAlertList()) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %s |%n", f.subject(),
                            String.join(", ", f.cameras()), f.firstSeenMs(), f.bestScore(), String.join(", ", f.inView())));
                }
            }
        }
        if (modelOnly != null) {
            table(md, "against the model-only bound", "value", modelOnly);
        }
        if (capacity != null) {
            table(md, "the stack's processes (CPU from the first frame to the drained backlog)", "value", capacity);
        }
        md.append("\n![latency CDF](latency_cdf.png)\n\n![consumer lag](lag.png)\n");
        return md.toString();
    }

    private static void table(StringBuilder md, String title, String unit, Object record) {
        md.append("\n| ").append(title).append(" | ").append(unit).append(" |\n|---|---|\n");
        fields(record).forEach((k, v) -> {
            if (!(v instanceof List)) { // lists get tables of their own
                md.append("| ").append(k).append(" | ").append(format(v)).append(" |\n");
            }
        });
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
