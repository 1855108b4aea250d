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
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tumbling event-time windows of {@link MetricEvent}s, keyed by deployment: at the end of each window one
 * {@link DeploymentMetrics} per camera and one for all cameras (camera null), with the false-alert rates.
 *
 * <p>Why not Flink's window operator: adjudications come minutes after their alert, often after its window
 * closed. Here an event that is late for its window counts in the window the event-time clock is in now, so a
 * window reports what became known during it and nothing is dropped.
 *
 * <p>A window closes when event time passes its end; and when a deployment has had no event for two window lengths
 * of wall-clock time, its open windows are published anyway: when every camera goes quiet (the deployment ended,
 * the site closed) event time stops, and the last window must still be published. Events that arrive for an
 * already published window count in the first window after it, so while the job runs no window is published twice
 * with different counts. After a recovery the job publishes again the windows it published since the last checkpoint
 * (with exactly-once records, the default, only the committed copies are readable). State: the open windows' counts (removed when each is published), the end of the last
 * published window, and the pending quiet-deployment timer.
 */
public class MetricsWindows extends KeyedProcessFunction<String, MetricEvent, DeploymentMetrics> {
    private static final String ALL_CAMERAS = "";

    private final long sizeMs;
    /** Counts per (window start, camera); camera "" would be ambiguous with all cameras, so it cannot occur. */
    private transient MapState<String, long[]> counts;
    private transient ValueState<Long> publishedUpTo;
    private transient ValueState<Long> quietTimer;

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
        ValueStateDescriptor<Long> published = new ValueStateDescriptor<>("publishedUpTo", Types.LONG);
        // a deployment quiet for a day forgets where it was: its next events start a fresh window anyway
        published.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(1)).build());
        publishedUpTo = getRuntimeContext().getState(published);
        quietTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("quietTimer", Types.LONG));
    }

    @Override
    public void processElement(MetricEvent e, Context ctx, Collector<DeploymentMetrics> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long t = Math.max(e.timeMs(), watermark + 1); // late: counts in the window the clock is in now
        Long published = publishedUpTo.value();
        if (published != null) {
            t = Math.max(t, published); // that window was published already (by the wall-clock fallback)
        }
        long start = Math.floorDiv(t, sizeMs) * sizeMs;
        String camera = e.camera() == null || e.camera().isEmpty() ? "?" : e.camera();
        add(start, camera, e);
        add(start, ALL_CAMERAS, e);
        ctx.timerService().registerEventTimeTimer(start + sizeMs - 1);
        // move the quiet-deployment timer to two window lengths from now (in whole seconds, to spare the timer queue)
        long due = (ctx.timerService().currentProcessingTime() + 2 * sizeMs) / 1000 * 1000 + 1000;
        Long pending = quietTimer.value();
        if (pending == null || pending < due) {
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
            }
            ctx.timerService().registerProcessingTimeTimer(due);
            quietTimer.update(due);
        }
    }

    private void add(long start, String camera, MetricEvent e) throws Exception {
        String key = start + "/" + camera;
        long[] c = counts.get(key);
        if (c == null) {
            c = new long[9];
        } else if (c.length < 9) { // state written before frames_detected, detector_passes or faces_rescored
            c = java.util.Arrays.copyOf(c, 9);
        }
        c[0] += e.frames();
        c[1] += e.facesDetected();
        c[2] += e.facesSearched();
        c[3] += e.alerts();
        c[4] += e.adjudicatedTrue();
        c[5] += e.adjudicatedFalse();
        c[6] += e.framesDetected();
        c[7] += e.detectorPasses();
        c[8] += e.facesRescored();
        counts.put(key, c);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DeploymentMetrics> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // the deployment went quiet: publish every open window, oldest first
            quietTimer.clear();
            java.util.TreeSet<Long> open = new java.util.TreeSet<>();
            for (String key : counts.keys()) {
                open.add(Long.parseLong(key.substring(0, key.indexOf('/'))));
            }
            for (long start : open) {
                publish(start, ctx, out);
                ctx.timerService().deleteEventTimeTimer(start + sizeMs - 1); // published: nothing left for it to do
            }
            return;
        }
        publish(timestamp + 1 - sizeMs, ctx, out);
    }

    private void publish(long start, OnTimerContext ctx, Collector<DeploymentMetrics> out) throws Exception {
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
        if (!done.isEmpty()) {
            Long published = publishedUpTo.value();
            publishedUpTo.update(Math.max(published == null ? 0 : published, start + sizeMs));
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
                .setFramesDetected(c.length > 6 ? c[6] : 0)
                .setDetectorPasses(c.length > 7 ? c[7] : 0)
                .setFacesRescored(c.length > 8 ? c[8] : 0)
                .build();
    }
}
