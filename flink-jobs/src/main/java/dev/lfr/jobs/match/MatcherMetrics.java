package dev.lfr.jobs.match;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The matcher's Flink metrics: frames (and those of still scenes, or between detector passes, not searched), the
 * detector passes run (the whole frame, and tiles where they are on), faces detected and searched (and with
 * screening, embedded again), match candidates, dead letters, the live watchlist's background index rebuilds in
 * flight, and the tracks whose fused descriptors the pipeline holds in memory (walk-past fusion).
 */
final class MatcherMetrics {
    private final Counter frames;
    private final Counter detectorPasses;
    private final Counter facesDetected;
    private final Counter facesSearched;
    private final Counter facesRescored;
    private final Counter candidates;
    private final Counter deadLetters;
    private final Counter stillFrames;
    private final Counter framesBetweenDetections;

    MatcherMetrics(MetricGroup group, LiveWatchlist live, FramePipeline pipeline) {
        group.gauge("watchlistIndexRebuilds", live::rebuildsInFlight);
        group.gauge("fusedTracksHeld", pipeline::fusedTracksHeld);
        frames = group.counter("frames");
        detectorPasses = group.counter("detectorPasses");
        facesDetected = group.counter("facesDetected");
        facesSearched = group.counter("facesSearched");
        facesRescored = group.counter("facesRescored");
        candidates = group.counter("matchCandidates");
        deadLetters = group.counter(DeadLetters.COUNTER);
        stillFrames = group.counter("stillFramesSkipped");
        framesBetweenDetections = group.counter("framesBetweenDetections");
    }

    void frame(int passes, int detected, int searched, int rescored) {
        frames.inc();
        detectorPasses.inc(passes);
        facesDetected.inc(detected);
        facesSearched.inc(searched);
        facesRescored.inc(rescored);
    }

    /** A frame of a still scene, counted as a frame with no face and not searched. */
    void still() {
        frames.inc();
        stillFrames.inc();
    }

    /** A frame between two detector passes, counted as a frame with no face and not searched. */
    void betweenDetections() {
        frames.inc();
        framesBetweenDetections.inc();
    }

    void candidate() {
        candidates.inc();
    }

    void deadLetter() {
        deadLetters.inc();
    }
}
