package dev.lfr.gateway;

/**
 * A frame's capture time, in wall-clock milliseconds. Where the stream carries timestamps, the first frame anchors
 * them to its arrival time and later frames keep the stream's spacing (so frames that arrive in a burst after a stall
 * keep the times they were taken at); where it does not, or the stream's clock jumps or drifts more than
 * {@code maxDriftMs} from arrival (a camera restarted its stream), the arrival time is used and the anchor reset.
 */
public final class CaptureClock {
    private final long maxDriftMs;
    private long offsetMs;
    private boolean anchored;

    public CaptureClock(long maxDriftMs) {
        this.maxDriftMs = maxDriftMs;
    }

    /**
     * @param ptsMicros the stream's timestamp of the frame, or a negative value when it has none
     * @param arrivalMs when the gateway decoded it
     */
    public long captureMs(long ptsMicros, long arrivalMs) {
        if (ptsMicros < 0) {
            anchored = false;
            return arrivalMs;
        }
        long pts = ptsMicros / 1000;
        if (!anchored || Math.abs(pts + offsetMs - arrivalMs) > maxDriftMs) {
            offsetMs = arrivalMs - pts;
            anchored = true;
        }
        // never in the future: a frame cannot have been taken after it arrived
        return Math.min(pts + offsetMs, arrivalMs);
    }
}
