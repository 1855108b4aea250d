package dev.lfr.udfs.pipeline;

import dev.lfr.udfs.track.TrackState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Walk-past fusion: a track's faces searched as one, by the mean of the descriptors embedded so far, so that a
 * passer-by whose faces each fall just short of the threshold can still match (the mean of several views is closer
 * to the person than any one view; the evaluation's multi-image protocol measures it).
 *
 * <p>Privacy: the means are biometric data of people who may not match. They live in the operator's memory only,
 * never in state, checkpoints, outputs or logs, and a track's mean is dropped as soon as the track is no longer
 * followed ({@link #retain}). A mean no face was added to for {@link #IDLE_NANOS} of wall time (a camera that went
 * silent mid-track) is dropped by the next call for any camera, or by {@link #dropIdle}, which the matcher calls on a
 * timer when no frame comes at all. A running mean rather than a sum, so that what is held
 * looks like a descriptor (a passer-by seen in the same pose holds their descriptor itself): the privacy tests'
 * search for descriptors would find it if it ever leaked, where a sum, a multiple of it, would slip past. Not
 * thread-safe: one per pipeline.
 */
public final class WalkPastFusion {
    /** Wall time after which an untouched mean is dropped, whatever its track. */
    public static final long IDLE_NANOS = 10_000_000_000L;

    private static final class Mean {
        final float[] vector;
        int faces;
        long touchedNanos;

        Mean(int dimension) {
            vector = new float[dimension];
        }
    }

    private final CameraMemory<Map<Long, Mean>> cameras = new CameraMemory<>();
    private final LongSupplier nanoTime;
    private long sweptNanos;
    private volatile int tracksHeld;

    public WalkPastFusion() {
        this(System::nanoTime);
    }

    /** @param nanoTime the wall clock idle means are dropped by */
    public WalkPastFusion(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.sweptNanos = nanoTime.getAsLong();
    }

    /**
     * Adds a unit descriptor of {@code trackId} and returns the track's mean descriptor (normalised), or null while
     * the track has only this one face (its own descriptor is the search).
     */
    public float[] add(String camera, long trackId, float[] unit) {
        long now = sweep();
        Map<Long, Mean> means = cameras.of(camera, HashMap::new);
        Mean mean = means.get(trackId);
        if (mean == null) {
            mean = new Mean(unit.length); // one pipeline, one embedder: every descriptor has this length
            means.put(trackId, mean);
            recount();
        }
        mean.faces++;
        mean.touchedNanos = now;
        double norm = 0;
        for (int i = 0; i < unit.length; i++) {
            mean.vector[i] += (unit[i] - mean.vector[i]) / mean.faces;
            norm += (double) mean.vector[i] * mean.vector[i];
        }
        if (mean.faces < 2 || norm == 0) {
            return null;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        float[] search = new float[unit.length];
        for (int i = 0; i < search.length; i++) {
            search[i] = mean.vector[i] * inv;
        }
        return search;
    }

    /** Drops the means of the camera's tracks that are not among {@code followed} (tracks that ended). */
    public void retain(String camera, Collection<TrackState> followed) {
        sweep();
        Map<Long, Mean> means = cameras.peek(camera);
        if (means == null) { // nothing fused on this camera: no work on its frames
            return;
        }
        Set<Long> ids = followed.stream().map(TrackState::id).collect(Collectors.toSet());
        means.keySet().retainAll(ids);
        if (means.isEmpty()) {
            cameras.forget(camera);
        }
        recount();
    }

    /**
     * Drops the means no face was added to for {@link #IDLE_NANOS}, on every camera: for an operator to call when no
     * frame may come (every camera silent), as frames of any camera do it anyway.
     */
    public void dropIdle() {
        sweep();
    }

    /** Drops idle means, at most once a second; returns the time now. */
    private long sweep() {
        long now = nanoTime.getAsLong();
        if (now - sweptNanos >= 1_000_000_000L) {
            sweptNanos = now;
            cameras.values().removeIf(means -> {
                means.values().removeIf(m -> now - m.touchedNanos >= IDLE_NANOS);
                return means.isEmpty();
            });
            recount();
        }
        return now;
    }

    /** Counted on the task's thread; a metric reporter's thread reads only this number, never the maps. */
    private void recount() {
        tracksHeld = cameras.values().stream().mapToInt(Map::size).sum();
    }

    /** A copy of the mean held for a track, or null: what the operator's memory holds, for tests. */
    float[] held(String camera, long trackId) {
        Map<Long, Mean> means = cameras.peek(camera);
        Mean mean = means == null ? null : means.get(trackId);
        return mean == null ? null : mean.vector.clone();
    }

    /** Tracks whose descriptors are held, over all cameras (for tests and metrics; safe from any thread). */
    public int tracksHeld() {
        return tracksHeld;
    }
}
