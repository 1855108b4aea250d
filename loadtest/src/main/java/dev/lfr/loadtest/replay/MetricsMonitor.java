package dev.lfr.loadtest.replay;

import dev.lfr.schemas.DeploymentMetrics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Follows the metrics topic during a replay: how long after a window's end its first record became readable (the
 * metrics delay an analyst or a dashboard sees, with the replay's capture times on the same clock), and how many
 * records each window got (one, unless the job was recovering and wrote it outside a transaction).
 */
public final class MetricsMonitor implements AutoCloseable {
    private final Map<String, Integer> copies = new ConcurrentHashMap<>();
    private final Histogram delayMs = new Histogram(3_600_000L, 3);
    private Totals totals = new Totals(0, 0, 0, 0, 0, 0, 0); // guarded by delayMs
    private final TopicFollower<DeploymentMetrics> follower;

    public MetricsMonitor(String bootstrap, String topic, Set<String> deployments) {
        follower = new TopicFollower<>(bootstrap, topic, DeploymentMetrics.class, (m, received) -> {
            if (!deployments.contains(m.getDeployment())) {
                return;
            }
            String window = m.getDeployment() + "/" + m.getCamera() + "/" + m.getWindowStart().toEpochMilli();
            if (copies.merge(window, 1, Integer::sum) == 1) {
                synchronized (delayMs) {
                    delayMs.recordValue(Math.min(Math.max(0, received - m.getWindowEnd().toEpochMilli()),
                            delayMs.getHighestTrackableValue()));
                    if (m.getCamera() == null) { // the all-camera row: each frame counted once
                        Totals t = totals;
                        totals = new Totals(t.windows() + 1, t.frames() + m.getFrames(),
                                t.framesDetected() + m.getFramesDetected(), t.facesDetected() + m.getFacesDetected(),
                                t.facesSearched() + m.getFacesSearched(), t.detectorPasses() + m.getDetectorPasses(),
                                t.facesRescored() + m.getFacesRescored());
                    }
                }
            }
        });
    }

    /** Window end to first readable record, per window (all-camera and per-camera rows alike). */
    public Histogram delayMs() {
        synchronized (delayMs) {
            return delayMs.copy();
        }
    }

    /**
     * Sums over the deployment's all-camera windows, each window once: what the job counted (the report's
     * {@code job_counts}; the replay waits for the last window, at most 20 s), such as the frames its detector ran on
     * and the faces it embedded and searched, the detector passes those frames took (tiles included), and with
     * screening the faces embedded again by the embedding model.
     */
    public record Totals(long windows, long frames, long framesDetected, long facesDetected, long facesSearched,
                         long detectorPasses, long facesRescored) {}

    public Totals totals() {
        synchronized (delayMs) {
            return totals;
        }
    }

    /**
     * Waits until the windows read, with the frames the job refused ({@code refused}: they are in no window), account
     * for {@code frames} frames, at most {@code timeout}.
     */
    public void awaitFrames(long frames, java.util.function.LongSupplier refused, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (totals().frames() + refused.getAsLong() < frames && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
    }

    /** Windows that got more than one record. */
    public long repeatedWindows() {
        return copies.values().stream().filter(n -> n > 1).count();
    }

    @Override
    public void close() throws Exception {
        follower.close();
    }
}
