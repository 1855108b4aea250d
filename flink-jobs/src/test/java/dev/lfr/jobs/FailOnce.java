package dev.lfr.jobs;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Throws once, at the given element, for the whole JVM (the flag is static: a restarted task must not fail again).
 * Test-only failure injection.
 */
public final class FailOnce<T> implements MapFunction<T, T> {
    public static final AtomicBoolean FAILED = new AtomicBoolean();
    private final int failAt;
    private int seen;

    public FailOnce(int failAt) {
        this.failAt = failAt;
    }

    @Override
    public T map(T value) {
        if (++seen == failAt && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure at element " + failAt);
        }
        return value;
    }
}
