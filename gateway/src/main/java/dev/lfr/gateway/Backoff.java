package dev.lfr.gateway;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter, for reopening a camera: 1 s, 2 s, 4 s ... up to the cap, each spread by
 * up to a quarter either way so that cameras behind one failed switch do not all retry in step.
 */
public final class Backoff {
    private final Duration first;
    private final Duration cap;
    private int failures;

    public Backoff(Duration first, Duration cap) {
        this.first = first;
        this.cap = cap;
    }

    /** The wait before the next attempt, counting one more failure. */
    public Duration next() {
        long base = Math.min(cap.toMillis(), first.toMillis() << Math.min(failures, 20));
        failures++;
        long jitter = base / 4;
        long wait = base + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
        return Duration.ofMillis(Math.max(0, Math.min(wait, cap.toMillis())));
    }

    /** A frame came through: the next failure starts from the first wait again. */
    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
