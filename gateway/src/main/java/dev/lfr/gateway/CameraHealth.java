package dev.lfr.gateway;

import java.util.concurrent.atomic.AtomicLong;

/** What one camera's stream has done so far; read by the metrics endpoint and the status line. */
public final class CameraHealth {
    /** Where the camera's reader is. */
    public enum State { CONNECTING, STREAMING, WAITING_TO_RECONNECT, STOPPED }

    private final String camera;
    final AtomicLong decoded = new AtomicLong();
    final AtomicLong sampled = new AtomicLong();
    final AtomicLong still = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private volatile long lastFrameMs = -1;
    /** The latest capture-to-acknowledgement latencies: pairs of (acknowledged at, latency) in ms, a ring. */
    private final long[] latencies = new long[2 * 4096];
    private long latencyCount;
    private volatile State state = State.CONNECTING;
    private volatile String lastError;

    public CameraHealth(String camera) {
        this.camera = camera;
    }

    public String camera() {
        return camera;
    }

    /** Frames decoded from the stream. */
    public long decoded() {
        return decoded.get();
    }

    /** Frames kept by the sampler (and encoded). */
    public long sampled() {
        return sampled.get();
    }

    /** Sampled frames not sent: the scene had not changed since the camera's previous sampled frame. */
    public long still() {
        return still.get();
    }

    /** Frames the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Frames dropped: the oldest of a full queue while the broker was slow, or refused by it. */
    public long dropped() {
        return dropped.get() + sendErrors.get();
    }

    /** Times the stream was reopened after failing, ending or stalling. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Failures to open or read the stream, and frames that could not be decoded or encoded. */
    public long errors() {
        return errors.get();
    }

    /** Seconds since the last decoded frame, or -1 before the first. */
    public double lastFrameAgeSeconds(long nowMs) {
        return lastFrameMs < 0 ? -1 : (nowMs - lastFrameMs) / 1000.0;
    }

    /**
     * Capture-to-acknowledgement latencies (the broker has the frame) in ms, of the frames acknowledged at or after
     * {@code sinceMs} among the latest 4,096, sorted.
     */
    public synchronized long[] latenciesSince(long sinceMs) {
        int n = (int) Math.min(latencyCount, latencies.length / 2);
        return java.util.stream.IntStream.range(0, n).filter(i -> latencies[2 * i] >= sinceMs).mapToLong(i -> latencies[2 * i + 1])
                .sorted().toArray();
    }

    synchronized void acknowledged(long captureMs, long nowMs) {
        int slot = (int) (latencyCount % (latencies.length / 2));
        latencies[2 * slot] = nowMs;
        latencies[2 * slot + 1] = nowMs - captureMs;
        latencyCount++;
    }

    public State state() {
        return state;
    }

    /** The last failure, without credentials (FFmpeg's message about the URL the config gave). */
    public String lastError() {
        return lastError;
    }

    void frame(long nowMs) {
        lastFrameMs = nowMs;
        decoded.incrementAndGet();
    }

    void state(State s) {
        state = s;
    }

    void failed(String why) {
        errors.incrementAndGet();
        lastError = why;
    }
}
