package dev.lfr.gateway;

/**
 * Keeps frames of a stream evenly at a target rate: 5 fps from a 25 fps stream keeps every fifth frame, from a
 * 30 fps stream the frames nearest each 200 ms step. Works on the stream's own timestamps, so a burst of late frames
 * (a network stall) is not all sent; a jump (a restarted stream) starts the schedule again.
 */
public final class FrameSampler {
    private final long periodMicros;
    private long nextDue = Long.MIN_VALUE;

    public FrameSampler(double fps) {
        if (!(fps > 0) || fps > 1000) {
            throw new IllegalArgumentException("a sampling rate is above 0 and at most 1000 fps, not " + fps);
        }
        this.periodMicros = Math.round(1_000_000 / fps);
    }

    /** Whether to keep the frame at {@code ptsMicros} (the stream's presentation time). */
    public boolean keep(long ptsMicros) {
        // a frame a little early still counts for its step (stream rates are not exact multiples)
        long tolerance = periodMicros / 10;
        if (nextDue == Long.MIN_VALUE || ptsMicros < nextDue - 2 * periodMicros || ptsMicros > nextDue + 10 * periodMicros) {
            nextDue = ptsMicros + periodMicros; // first frame, or the stream's clock jumped
            return true;
        }
        if (ptsMicros + tolerance < nextDue) {
            return false;
        }
        nextDue = Math.max(nextDue + periodMicros, ptsMicros + periodMicros - tolerance);
        return true;
    }
}
