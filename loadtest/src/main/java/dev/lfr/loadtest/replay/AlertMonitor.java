package dev.lfr.loadtest.replay;

import dev.lfr.schemas.MatchAlert;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Follows the alerts topic during a replay: the latest record of each alert of the given deployments, and the
 * frame-to-alert latency of each alert's first record (received minus the capture time of its first sighting; the
 * replay stamps capture time with the same clock).
 */
public final class AlertMonitor implements AutoCloseable {
    private final Map<String, MatchAlert> alerts = new ConcurrentHashMap<>();
    private final Histogram latencyMs = new Histogram(3_600_000L, 3);
    private final TopicFollower<MatchAlert> follower;
    private volatile long measureFromMs = Long.MIN_VALUE;

    /** @param onFirst called with each new alert and its latency in ms (e.g. to print it) */
    public AlertMonitor(String bootstrap, String topic, java.util.Set<String> deployments,
                        java.util.function.BiConsumer<MatchAlert, Long> onFirst) {
        follower = new TopicFollower<>(bootstrap, topic, MatchAlert.class, (a, received) -> {
            if (!deployments.contains(a.getDeployment()) || alerts.put(a.getAlertId(), a) != null) {
                return;
            }
            long ms = Math.max(0, received - a.getFirstSeen().toEpochMilli());
            if (a.getFirstSeen().toEpochMilli() >= measureFromMs) {
                synchronized (latencyMs) {
                    latencyMs.recordValue(Math.min(ms, latencyMs.getHighestTrackableValue()));
                }
            }
            onFirst.accept(a, ms);
        });
    }

    /** Latency counts only alerts first seen from {@code epochMs} on (a warm-up before it is left out). */
    public void measureFrom(long epochMs) {
        measureFromMs = epochMs;
    }

    /** The latest record of each alert so far. */
    public List<MatchAlert> alerts() {
        return List.copyOf(alerts.values());
    }

    public Histogram latencyMs() {
        synchronized (latencyMs) {
            return latencyMs.copy();
        }
    }

    /** Stops following; rethrows what stopped the reader early, if anything did. */
    @Override
    public void close() throws Exception {
        follower.close();
    }

    /** Waits until no new alert record has arrived for {@code quiet}, at most {@code max}. */
    public void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.currentTimeMillis() + max.toMillis();
        int seen = -1;
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            int now = alerts.values().stream().mapToInt(MatchAlert::getSightings).sum();
            if (now != seen) {
                seen = now;
                since = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - since >= quiet.toMillis()) {
                return;
            }
            Thread.sleep(100);
        }
    }
}
