package dev.lfr.udfs.track;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.IouMatching;
import dev.lfr.udfs.quality.QualityReport;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows faces across a camera's frames by box overlap, so that a person walking past is embedded a bounded number
 * of times, on their best faces, instead of on every frame: a track's face is embedded at its first usable sighting,
 * and again only when its quality utility beats the best embedded so far by {@code reembedGain}, up to
 * {@code maxEmbeds} times; with {@code reembedEvery} N above 0, also when N sightings have passed since its last
 * embed, so that a walk-past's embeds are spread over its views (a head that turns, a face that changes) rather than
 * spent on the first frames of its approach. A track ends once it has not been seen for {@code maxGapMs} of event
 * time; where the detector skips frames (detection scheduling), only once a pass has also missed it, so that passes
 * further apart than the gap do not make every face a new person to embed again. A track unseen for
 * {@link #STALE_GAPS} gaps ends whatever the passes: over longer spans a box in the same place is more likely
 * someone else than the same face.
 *
 * <p>Stateless: the caller keeps the tracks (Flink keyed state) and passes them in; {@link #step} returns the next
 * ones. Thread-safe.
 *
 * @param minIou      overlap needed to continue a track
 * @param maxGapMs    event time after which an unseen track ends
 * @param maxEmbeds   embeds per track at most
 * @param reembedGain factor by which quality must improve to embed a track again
 * @param reembedEvery sightings after a track's last embed at which it is embedded again whatever its quality (0: never)
 */
public record IouTracker(double minIou, long maxGapMs, int maxEmbeds, double reembedGain, int reembedEvery)
        implements Serializable {
    /** Gaps after which an unseen track ends even if no detector pass has missed it yet. */
    public static final int STALE_GAPS = 2;
    /** The longest gap a track may span. */
    public static final long MAX_GAP_MS = 60_000;
    /** The most embeds a track may ask for. */
    public static final int MAX_EMBEDS = 20;

    public IouTracker {
        if (!(minIou > 0 && minIou < 1)) {
            throw new IllegalArgumentException("the tracker's overlap must be between 0 and 1, not " + minIou);
        }
        if (maxGapMs <= 0 || maxGapMs > MAX_GAP_MS) { // a gap of hours would take every later face for the last one
            throw gapRefused(maxGapMs + " ms");
        }
        if (maxEmbeds < 1 || maxEmbeds > MAX_EMBEDS) {
            throw new IllegalArgumentException("embeds per track must be 1 to " + MAX_EMBEDS + ", not " + maxEmbeds);
        }
        if (!(reembedGain >= 1 && Double.isFinite(reembedGain))) { // NaN would never embed again
            throw new IllegalArgumentException("the re-embed gain must be a finite number of at least 1, not "
                    + reembedGain);
        }
        if (reembedEvery < 0) {
            throw new IllegalArgumentException("re-embedding every N sightings needs N >= 0 (0: off), not "
                    + reembedEvery);
        }
    }

    /**
     * Four embeds a track, spread every third sighting as well as on clearly better faces: on the walk-past replay
     * (three photos a walk) walk-past TPIR 0.964 against 0.930 with three embeds by quality alone, for 18% more
     * embedder calls (docs/benchmarks.md, issue 15).
     */
    public static IouTracker defaults() {
        return new IouTracker(0.3, 1500, 4, 1.25, 3);
    }

    /**
     * This tracker where the detector runs on one frame of {@code every} (detection scheduling): a track is sighted
     * only on detector passes, so {@code reembedEvery}, meant in frames, becomes that many frames' worth of passes
     * (at least one). Otherwise a scheduled track would be embedded N times more rarely and see fewer views.
     */
    public IouTracker forSchedule(int every) {
        if (every <= 1 || reembedEvery == 0) {
            return this;
        }
        int passes = Math.max(1, Math.round((float) reembedEvery / every));
        return new IouTracker(minIou, maxGapMs, maxEmbeds, reembedGain, passes);
    }

    /** A gap setting in milliseconds, refused as the constructor would (before a huge one overflows). */
    public static long gapMillis(java.time.Duration gap) {
        if (gap.compareTo(java.time.Duration.ofMillis(MAX_GAP_MS)) > 0) {
            throw gapRefused(gap.toString());
        }
        return gap.toMillis();
    }

    private static IllegalArgumentException gapRefused(String gap) {
        return new IllegalArgumentException("the tracker's gap must be above 0 and at most a minute, not " + gap);
    }

    /** One detection's fate: its track, and whether to embed it now. */
    public record Assignment(int detection, long trackId, boolean embed) {}

    /** The tracks after a frame, the assignments of its detections, and the tracks that ended. */
    public record Step(List<TrackState> tracks, List<Assignment> assignments, List<TrackState> ended, long nextId) {}

    /** A step where the detector runs on every frame of the camera. */
    public Step step(List<TrackState> tracks, long nextId, long timeMs, List<Detection> detections,
                     List<QualityReport> quality, List<Boolean> usable) {
        return step(tracks, nextId, timeMs, detections, quality, usable, false);
    }

    /**
     * @param usable              whether each detection passed the quality gate (only usable faces are embedded)
     * @param framesBetweenPasses whether the camera's frames between detector passes go undetected (detection
     *                            scheduling): then a track outlives the gap until a pass has missed it (up to
     *                            {@link #STALE_GAPS} gaps); otherwise a frame without the face is evidence enough, and
     *                            a gap in the stream itself ends the track as its time runs out
     */
    public Step step(List<TrackState> tracks, long nextId, long timeMs, List<Detection> detections,
                     List<QualityReport> quality, List<Boolean> usable, boolean framesBetweenPasses) {
        List<TrackState> alive = new ArrayList<>();
        List<TrackState> ended = new ArrayList<>();
        for (TrackState t : tracks) {
            long unseen = timeMs - t.lastSeenMs();
            boolean over = unseen > maxGapMs
                    && (!framesBetweenPasses || t.missedPasses() > 0 || unseen > STALE_GAPS * maxGapMs);
            (over ? ended : alive).add(t);
        }
        int[] trackOf = IouMatching.match(alive.stream().map(TrackState::box).toList(),
                detections.stream().map(Detection::box).toList(), minIou);
        List<TrackState> next = new ArrayList<>();
        boolean[] continued = new boolean[alive.size()];
        List<Assignment> assignments = new ArrayList<>();
        for (int d = 0; d < detections.size(); d++) {
            Box box = detections.get(d).box();
            double utility = quality.get(d).utility();
            TrackState t;
            if (trackOf[d] >= 0) {
                TrackState old = alive.get(trackOf[d]);
                continued[trackOf[d]] = true;
                t = new TrackState(old.id(), box, old.firstSeenMs(), timeMs, old.sightings() + 1, old.embeds(),
                        old.bestEmbeddedUtility(), 0, old.embeddedAtSighting());
            } else {
                t = new TrackState(nextId++, box, timeMs, timeMs, 1, 0, 0, 0, 0);
            }
            boolean embed = usable.get(d) && t.embeds() < maxEmbeds
                    && (t.embeds() == 0 || utility >= t.bestEmbeddedUtility() * reembedGain
                        || reembedEvery > 0 && t.sightings() - t.embeddedAtSighting() >= reembedEvery);
            if (embed) {
                t = new TrackState(t.id(), t.box(), t.firstSeenMs(), t.lastSeenMs(), t.sightings(), t.embeds() + 1,
                        Math.max(utility, t.bestEmbeddedUtility()), 0, t.sightings());
            }
            next.add(t);
            assignments.add(new Assignment(d, t.id(), embed));
        }
        for (int i = 0; i < alive.size(); i++) {
            if (!continued[i]) { // not seen this frame, but not gone for long enough to end
                TrackState t = alive.get(i);
                next.add(new TrackState(t.id(), t.box(), t.firstSeenMs(), t.lastSeenMs(), t.sightings(), t.embeds(),
                        t.bestEmbeddedUtility(), t.missedPasses() + 1, t.embeddedAtSighting()));
            }
        }
        return new Step(List.copyOf(next), List.copyOf(assignments), List.copyOf(ended), nextId);
    }
}
