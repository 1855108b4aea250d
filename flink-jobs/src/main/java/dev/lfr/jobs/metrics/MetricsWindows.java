package dev.lfr.jobs.metrics;

import dev.lfr.schemas.DeploymentMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tumbling event-time windows of {@link MetricEvent}s, keyed by deployment: at the end of each window one
 * {@link DeploymentMetrics} per camera and one for all cameras (camera null), with the false-alert rates.
 *
 * <p>Why not Flink's window operator: adjudications come minutes after their alert, often after its window
 * closed. Here an event that is late for its window counts in the window the event-time clock is in now, so a
 * window reports what became known during it and nothing is dropped. State is the open windows' counts, removed
 * when each window is emitted (an event-time timer at its end).
 */
public class MetricsWindows extends KeyedProcessFunction<String, MetricEvent, DeploymentMetrics> {
    private static final String ALL_CAMERAS = "";

    private final long sizeMs;
    /** Counts per (window start, camera); camera "" would be ambiguous with all cameras, so it cannot occur. */
    private transient MapState<String, long[]> counts;

    public MetricsWindows(Duration size) {
        if (size.isNegative() || size.isZero()) {
            throw new IllegalArgumentException("the window size must be positive");
        }
        this.sizeMs = size.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        counts = getRuntimeContext().getMapState(new MapStateDescriptor<>("windowCounts", Types.STRING,
                org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(MetricEvent e, Context ctx, Collector<DeploymentMetrics> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long t = Math.max(e.timeMs(), watermark + 1); // late: counts in the window the clock is in now
        long start = Math.floorDiv(t, sizeMs) * sizeMs;
        String camera = e.camera() == null || e.camera().isEmpty() ? "?" : e.camera();
        add(start, camera, e);
        add(start, ALL_CAMERAS, e);
        ctx.timerService().registerEventTimeTimer(start + sizeMs - 1);
    }

    private void add(long start, String camera, MetricEvent e) throws Exception {
        String key = start + "/" + camera;
        long[] c = counts.get(key);
        if (c == null) {
            c = new long[6];
        }
        c[0] += e.frames();
        c[1] += e.facesDetected();
        c[2] += e.facesSearched();
        c[3] += e.alerts();
        c[4] += e.adjudicatedTrue();
        c[5] += e.adjudicatedFalse();
        counts.put(key, c);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DeploymentMetrics> out) throws Exception {
        long start = timestamp + 1 - sizeMs;
        String prefix = start + "/";
        TreeMap<String, long[]> window = new TreeMap<>();
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, long[]> e : counts.entries()) {
            if (e.getKey().startsWith(prefix)) {
                window.put(e.getKey().substring(prefix.length()), e.getValue());
                done.add(e.getKey());
            }
        }
        for (Map.Entry<String, long[]> e : window.entrySet()) {
            String camera = e.getKey().equals(ALL_CAMERAS) ? null : e.getKey();
            out.collect(metrics(ctx.getCurrentKey(), camera, start, start + sizeMs, e.getValue()));
        }
        for (String key : done) {
            counts.remove(key);
        }
    }

    static DeploymentMetrics metrics(String deployment, String camera, long start, long end, long[] c) {
        long searched = c[2];
        long adjudicated = c[4] + c[5];
        return DeploymentMetrics.newBuilder()
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setDeployment(deployment)
                .setCamera(camera)
                .setFrames(c[0])
                .setFacesDetected(c[1])
                .setFacesSearched(searched)
                .setAlerts(c[3])
                .setAdjudicatedTrue(c[4])
                .setAdjudicatedFalse(c[5])
                .setFalseAlertRatePerFace(searched > 0 ? (double) c[5] / searched : null)
                .setFalseAlertRatePerAlert(adjudicated > 0 ? (double) c[5] / adjudicated : null)
                .build();
    }
}
