package dev.lfr.loadtest.replay;

import java.util.function.LongSupplier;

/**
 * Paces a replay at a fixed offered rate: step i is due at start + i / rate, whatever happened before (open loop: a
 * sender that fell behind sends its overdue steps at once rather than silently offering less). The achieved rate is
 * reported next to the offered one, so a replay never claims a rate it did not reach. A rate of 0 means as fast as
 * possible.
 */
public final class Pacer {
    /** Waits for a number of nanoseconds (a test can record instead of sleeping). */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double stepsPerSecond;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private long startNanos = -1;
    private long steps;

    public Pacer(double stepsPerSecond) {
        this(stepsPerSecond, System::nanoTime, n -> java.util.concurrent.TimeUnit.NANOSECONDS.sleep(n));
    }

    public Pacer(double stepsPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
        if (stepsPerSecond < 0 || Double.isNaN(stepsPerSecond)) {
            throw new IllegalArgumentException("the rate must be >= 0 (0 = as fast as possible)");
        }
        this.stepsPerSecond = stepsPerSecond;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    /** Blocks until the next step is due, then counts it. */
    public void awaitNext() throws InterruptedException {
        long now = nanoClock.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
        }
        if (stepsPerSecond > 0) {
            long due = startNanos + Math.round(steps * 1e9 / stepsPerSecond);
            if (due > now) {
                sleeper.sleepNanos(due - now);
            }
        }
        steps++;
    }

    public long steps() {
        return steps;
    }

    /** Steps per second since the first step (what was achieved, not what was offered). */
    public double achievedRate() {
        if (steps == 0) {
            return 0;
        }
        double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
        return seconds <= 0 ? Double.POSITIVE_INFINITY : steps / seconds;
    }

    public double offeredRate() {
        return stepsPerSecond;
    }
}
