package dev.lfr.jobs.metrics;

import org.apache.flink.util.OutputTag;

/**
 * A contribution to one deployment's counts at one event time: a processed frame (with its face counts), a new
 * alert, or a change in adjudications. Counts only, never face data; {@link MetricsWindows} sums them per window.
 * Adjudication deltas may be negative when an officer changes a verdict.
 */
public record MetricEvent(String deployment, String camera, long timeMs, long frames, long facesDetected,
                          long facesSearched, long alerts, long adjudicatedTrue, long adjudicatedFalse,
                          long framesDetected, long detectorPasses, long facesRescored) {
    /** The side output the face matcher reports its processed frames on. */
    public static final OutputTag<MetricEvent> FRAMES = new OutputTag<>("frame-metrics") {};

    /**
     * A frame the detector ran on, with the faces it found, those searched (and of those, embedded again after
     * screening), and the detector passes it took.
     */
    public static MetricEvent frame(String deployment, String camera, long timeMs, int detected, int searched,
                                    int rescored, int passes) {
        return new MetricEvent(deployment, camera, timeMs, 1, detected, searched, 0, 0, 0, 1, passes, rescored);
    }

    /** A frame that went unsearched: a still scene, or between detector passes. */
    public static MetricEvent unsearchedFrame(String deployment, String camera, long timeMs) {
        return new MetricEvent(deployment, camera, timeMs, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public static MetricEvent alert(String deployment, String camera, long timeMs) {
        return new MetricEvent(deployment, camera, timeMs, 0, 0, 0, 1, 0, 0, 0, 0, 0);
    }

    public static MetricEvent adjudication(String deployment, String camera, long timeMs, long trueDelta,
                                           long falseDelta) {
        return new MetricEvent(deployment, camera, timeMs, 0, 0, 0, 0, trueDelta, falseDelta, 0, 0, 0);
    }
}
