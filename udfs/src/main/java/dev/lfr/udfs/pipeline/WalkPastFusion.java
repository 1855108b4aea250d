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
 * <p>Privacy: the sums are biometric data of people who may not match. They live in the operator's memory only,
 * never in state, checkpoints, outputs or logs, and a track's sum is dropped as soon as the track is no longer
 * followed ({@link #retain}). A sum no face was added to for {@link #IDLE_NANOS} of wall time (a camera that went
 * silent mid-track) is dropped by the next call for any camera. Not thread-safe: one per pipeline.
 */
public final class WalkPastFusion {
    /** Wall time after which an untouched sum is dropped, whatever its track. */
    public static final long IDLE_NANOS = 10_000_000_000L;

    private static final class Sum {
        final float[] vector;
        int faces;
        long touchedNanos;

        Sum(int dimension) {
            vector = new float[dimension];
        }
    }

    private final CameraMemory<Map<Long, Sum>> cameras = new CameraMemory<>();
    private final LongSupplier nanoTime;
    private long sweptNanos;
    private volatile int tracksHeld;

    public WalkPastFusion() {
        this(System::nanoTime);
    }

    /** @param nanoTime the wall clock idle sums are dropped by */
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
        Map<Long, Sum> sums = cameras.of(camera, HashMap::new);
        Sum sum = sums.get(trackId);
        if (sum == null) {
            sum = new Sum(unit.length); // one pipeline, one embedder: every descriptor has this length
            sums.put(trackId, sum);
            recount();
        }
        double norm = 0;
        for (int i = 0; i < unit.length; i++) {
            sum.vector[i] += unit[i];
            norm += (double) sum.vector[i] * sum.vector[i];
        }
        sum.faces++;
        sum.touchedNanos = now;
        if (sum.faces < 2 || norm == 0) {
            return null;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        float[] mean = new float[unit.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = sum.vector[i] * inv;
        }
        return mean;
    }

    /** Drops the sums of the camera's tracks that are not among {@code followed} (tracks that ended). */
    public void retain(String camera, Collection<TrackState> followed) {
        sweep();
        Map<Long, Sum> sums = cameras.peek(camera);
        if (sums == null) { // nothing fused on this camera: no work on its frames
            return;
        }
        Set<Long> ids = followed.stream().map(TrackState::id).collect(Collectors.toSet());
        sums.keySet().retainAll(ids);
        if (sums.isEmpty()) {
            cameras.forget(camera);
        }
        recount();
    }

    /** Drops idle sums, at most once a second; returns the time now. */
    private long sweep() {
        long now = nanoTime.getAsLong();
        if (now - sweptNanos >= 1_000_000_000L) {
            sweptNanos = now;
            cameras.values().removeIf(sums -> {
                sums.values().removeIf(s -> now - s.touchedNanos >= IDLE_NANOS);
                return sums.isEmpty();
            });
            recount();
        }
        return now;
    }

    /** Counted on the task's thread; a metric reporter's thread reads only this number, never the maps. */
    private void recount() {
        tracksHeld = cameras.values().stream().mapToInt(Map::size).sum();
    }

    /** Tracks whose descriptors are held, over all cameras (for tests and metrics; safe from any thread). */
    public int tracksHeld() {
        return tracksHeld;
    }
}
